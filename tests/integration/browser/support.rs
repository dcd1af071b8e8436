//! What the browser test runs on: the web host's binary and process, chromedriver and its
//! session, and helpers that wait for the page, read it, and save its screenshots.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A child process killed when dropped.
pub(super) struct Running(pub(super) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) struct Folder(pub(super) PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The target folder this test binary runs from (`target/<profile>/deps/..`).
pub(super) fn target_folder() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// The web host's binary, built with this test binary's features and profile (or taken from
/// `USER_IMPORT_WEB_HOST_BIN`).
pub(super) fn web_host() -> PathBuf {
    crate::common::example_binary("web-host", "USER_IMPORT_WEB_HOST_BIN")
}

/// Starts the web host on a free port; answers it and its address.
pub(super) fn start_host(state: &Path) -> (Running, String) {
    use std::io::BufRead;
    let mut child = Command::new(web_host())
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the web host starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("the web host printed no address: {line}"))
        .to_string();
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    (Running(child), address)
}

/// A loopback port free now (chromedriver takes a port number, not a listener).
pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless Chromium session that downloads into `downloads`.
pub(super) async fn start_browser(downloads: &Path) -> (Running, Client) {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (apt-get install chromium chromium-driver)");
    let driver = Running(driver);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1600", "--lang=en-US"],
            "prefs": {
                "download.default_directory": downloads.to_string_lossy(),
                "download.prompt_for_download": false,
                "intl.accept_languages": "en-US,en",
            },
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(error) if started.elapsed() < Duration::from_secs(20) => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("no WebDriver session: {error}"),
        }
    };
    (driver, client)
}

/// Saves the page's screenshot as `target/web-screenshots/<name>.png`.
pub(super) async fn shot(client: &Client, name: &str) {
    let folder = target_folder().join("web-screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
}

/// Waits until the text of the first element `css` matches is `wanted`.
pub(super) async fn wait_text(client: &Client, css: &str, wanted: &str) {
    wait_for(client, css, wanted, |text| text == wanted).await;
}

/// Waits until the text of the first element `css` matches passes `test` (`what` says how,
/// for the failure's message).
pub(super) async fn wait_for(client: &Client, css: &str, what: &str, test: impl Fn(&str) -> bool) {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if test(&text) {
                return;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{css}` shows `{last}`, not `{what}`");
}

/// The texts of the cells of the rows of table `css`.
pub(super) async fn table(client: &Client, css: &str) -> Vec<Vec<String>> {
    let script = format!(
        "return [...document.querySelectorAll('{css} tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()));"
    );
    let rows = client.execute(&script, Vec::new()).await.unwrap();
    serde_json::from_value(rows).unwrap()
}

/// Waits for a file ending in `suffix` in `folder` (a finished download).
pub(super) async fn downloaded(folder: &Path, suffix: &str) -> PathBuf {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(suffix) {
                    return entry.path();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no file *{suffix} was downloaded into {}", folder.display());
}

/// The accept link in the `.eml` file written for `email`, under `address` (the text part,
/// its quoted-printable soft line breaks and escapes undone).
pub(super) fn accept_link(mail: &Path, email: &str, address: &str) -> String {
    let wanted = format!("{}welcome?token=", address);
    for entry in std::fs::read_dir(mail).unwrap().flatten() {
        let raw = std::fs::read_to_string(entry.path()).unwrap();
        if !raw.contains(&format!("<{email}>")) {
            continue;
        }
        let text = quoted_printable(&raw);
        let start = text
            .find(&wanted)
            .unwrap_or_else(|| panic!("no link to {wanted} in the invitation of {email}:\n{raw}"));
        let link: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || ":/.?=&_-".contains(*c))
            .collect();
        return link;
    }
    panic!("no invitation to {email} in {}", mail.display());
}

/// `text` with quoted-printable soft line breaks removed and `=XX` escapes decoded.
pub(super) fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Scrolls the element with `id` to the top of the window.
pub(super) async fn scroll_to(client: &Client, id: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView();",
            vec![json!(id)],
        )
        .await
        .unwrap();
}

/// Drops a file named `name` holding `bytes` on the drop zone, as a drag from the desktop does.
pub(super) async fn drop_file(client: &Client, name: &str, bytes: &[u8]) {
    let numbers: Vec<u8> = bytes.to_vec();
    client
        .execute(
            "const [name, bytes] = arguments;
             const file = new File([new Uint8Array(bytes)], name,
                 {type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'});
             const data = new DataTransfer();
             data.items.add(file);
             const zone = document.getElementById('drop-zone');
             for (const type of ['dragenter', 'dragover', 'drop']) {
                 zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
             }",
            vec![json!(name), json!(numbers)],
        )
        .await
        .unwrap();
}
