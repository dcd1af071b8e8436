//! The English texts of the administrator's page and of the import API's problems (keys
//! `web.*`; the API's `/texts` answers them without the prefix).

/// The page's texts, the imports' statuses and phases, and the API's problems.
pub(super) const WEB_EN: &[(&str, &str)] = &[
    // Files the API answers.
    ("web.template_file", "user-import-template.xlsx"),
    ("web.report_file", "import-{id}-problems.xlsx"),
    // Statuses and phases, as the index shows them.
    ("web.status.pending", "pending"),
    ("web.status.running", "running"),
    ("web.status.completed", "completed"),
    ("web.status.failed", "failed"),
    ("web.phase.reading", "reading the file"),
    ("web.phase.planning", "checking the users"),
    ("web.phase.committing", "creating the users"),
    ("web.phase.inviting", "sending invitations"),
    ("web.phase.done", "done"),
    // The API's problems.
    ("web.problem.request.sign_in", "sign in to import users"),
    (
        "web.problem.request.forbidden",
        "your account may not import users; ask an administrator of the platform",
    ),
    (
        "web.problem.import.not_found",
        "there is no import `{id}` on this platform",
    ),
    (
        "web.problem.import.not_completed",
        "import `{id}` is {status}; only the users of a completed import can be enrolled or invited again",
    ),
    (
        "web.problem.request.no_file",
        "the form has no file; choose the filled-in template and upload it again",
    ),
    (
        "web.problem.request.bad_form",
        "the form could not be read ({reason}); reload the page and upload the file again",
    ),
    (
        "web.problem.request.bad_id",
        "the import id `{id}` is not valid; use 1 to 100 letters, digits, `-`, `_`, `.` or `~`",
    ),
    (
        "web.problem.request.field_too_long",
        "the field {field} is {length} bytes long, over the limit of {limit}; shorten it",
    ),
    (
        "web.problem.request.no_courses",
        "choose at least one course",
    ),
    (
        "web.problem.service.failed",
        "the service could not do this ({code}); try again in a moment",
    ),
    // The page.
    ("web.page.title", "Batch imports"),
    (
        "web.page.intro",
        "Create and invite many users at once: fill in the template, upload it, and follow the import in the index below.",
    ),
    ("web.page.language", "Language"),
    ("web.page.new_import", "New import"),
    ("web.page.step_template", "Download the template"),
    (
        "web.page.template_help",
        "Fill in one row per user. Every column is required; some have drop-down choices. Only the template's columns are imported.",
    ),
    ("web.page.template_link", "Download the template (.xlsx)"),
    ("web.page.step_locations", "Find a location code"),
    (
        "web.page.locations_help",
        "Country and State/Region take location codes, such as CA and CA-QC. Type a name to find its code.",
    ),
    ("web.page.locations_label", "Country or region name"),
    ("web.page.locations_placeholder", "for example: Quebec"),
    (
        "web.page.locations_none",
        "No country or region matches “{query}”.",
    ),
    ("web.page.code", "Code"),
    ("web.page.name", "Name"),
    ("web.page.type", "Type"),
    ("web.page.country", "Country"),
    ("web.page.copy", "Copy"),
    ("web.page.copy_label", "Copy the code {code}"),
    ("web.page.copied", "Copied {code}"),
    ("web.page.step_details", "Add groups, a message and notes"),
    ("web.page.groups", "Groups every imported user joins"),
    ("web.page.no_groups", "This platform has no groups yet."),
    (
        "web.page.message",
        "Personal message (added to the invitation email)",
    ),
    ("web.page.notes", "Notes (for internal records, not sent)"),
    ("web.page.step_upload", "Upload the file"),
    ("web.page.drop", "Drag the filled-in template here, or"),
    ("web.page.choose", "Choose file"),
    (
        "web.page.drop_label",
        "Drop zone: press Enter or Space to choose the file",
    ),
    ("web.page.no_file", "No file selected."),
    ("web.page.selected", "Selected: {name} ({size})"),
    ("web.page.step_import", "Import"),
    ("web.page.import", "Import"),
    ("web.page.need_file", "Choose the file to import first."),
    ("web.page.sending", "Uploading {name}…"),
    (
        "web.page.submitted",
        "{name} was uploaded; its import is under way. Its status shows in the index below.",
    ),
    ("web.page.index", "Imports"),
    ("web.page.index_empty", "No imports yet."),
    ("web.page.file", "File"),
    ("web.page.uploaded_by", "Uploaded by"),
    ("web.page.submitted_at", "Submitted"),
    ("web.page.status", "Status"),
    ("web.page.progress", "Progress"),
    ("web.page.progress_count", "{phase}: {done} of {total}"),
    ("web.page.created", "Created"),
    ("web.page.problems", "Rows with problems"),
    ("web.page.view", "View the import summary"),
    ("web.page.more", "Older imports"),
    (
        "web.page.done",
        "The import of {name} is completed: {created, plural, one {# new user} other {# new users}}, {existing, plural, one {# existing user} other {# existing users}}.",
    ),
    ("web.page.failed", "The import of {name} failed: {reason}"),
    ("web.page.summary", "Import summary"),
    ("web.page.back", "Back to the imports"),
    ("web.page.groups_label", "Groups"),
    ("web.page.message_label", "Message"),
    ("web.page.notes_label", "Notes"),
    ("web.page.none", "none"),
    ("web.page.rows", "Rows read"),
    ("web.page.count_created", "New users created"),
    (
        "web.page.count_groups_added",
        "Existing users added to the groups",
    ),
    ("web.page.count_untouched", "Existing users left unchanged"),
    ("web.page.count_failed_rows", "Rows with problems"),
    (
        "web.page.invitations",
        "Invitations: {sent} sent, {failed} not delivered, {pending} waiting.",
    ),
    ("web.page.resend", "Send the undelivered invitations again"),
    ("web.page.issues", "Issues"),
    ("web.page.no_issues", "No issues."),
    ("web.page.row", "Row"),
    ("web.page.column", "Column"),
    ("web.page.value", "Value"),
    ("web.page.issue", "Problem"),
    (
        "web.page.issues_cut",
        "The first {shown} of {total} issues are shown; the error report lists them all.",
    ),
    ("web.page.report", "Download the error report (.xlsx)"),
    (
        "web.page.report_help",
        "The report is your file with a column that describes each row's problems: fix them there and upload it again.",
    ),
    ("web.page.enroll", "Enroll users"),
    (
        "web.page.enroll_help",
        "Enroll the users this import created in courses.",
    ),
    ("web.page.courses", "Courses"),
    (
        "web.page.no_courses",
        "This platform has no courses to enroll in.",
    ),
    (
        "web.page.course_ids",
        "Course identifiers, separated by commas",
    ),
    (
        "web.page.enrolled",
        "{enrolled, plural, one {# user} other {# users}} enrolled in {courses, plural, one {# course} other {# courses}}.",
    ),
    ("web.page.error", "Something went wrong: {detail}"),
    (
        "web.page.not_yet",
        "The summary shows once the import has finished.",
    ),
    // The reference host's welcome page, which an invitation's link opens.
    ("web.welcome.heading", "Welcome"),
    ("web.welcome.title", "Welcome, {name}"),
    (
        "web.welcome.intro",
        "Your account is ready. Choose a password to sign in with {email}.",
    ),
    ("web.welcome.password", "Password (at least 8 characters)"),
    ("web.welcome.confirm", "The same password again"),
    ("web.welcome.submit", "Set my password"),
    (
        "web.welcome.done",
        "Your password is set. Sign in with {email} and your new password.",
    ),
    (
        "web.welcome.used",
        "This link was already used. Sign in with your email address and your password.",
    ),
    (
        "web.welcome.unknown",
        "This link is not valid. Ask your administrator to send the invitation again.",
    ),
    (
        "web.welcome.short",
        "The password is too short: choose at least 8 characters.",
    ),
    (
        "web.welcome.mismatch",
        "The two passwords differ: type the same password twice.",
    ),
];
