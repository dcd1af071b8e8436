//! The host's own lines, in English and French, added to the crate's catalogue
//! ([`Catalog::set`]) so that they are written with its plural forms, as the crate's own are.

use user_import::Catalog;

/// The host's lines in English.
const ENGLISH: &[(&str, &str)] = &[
    ("cli.status.pending", "pending"),
    ("cli.status.running", "running"),
    ("cli.status.completed", "completed"),
    ("cli.status.failed", "failed"),
    ("cli.severity.error", "error"),
    ("cli.severity.warning", "warning"),
    ("cli.issue", "{severity}: {message}"),
    (
        "cli.check.header",
        "{path}: sheet `{sheet}`, {rows, plural, one {# row} other {# rows}}, {valid} valid, {errors, plural, one {# error} other {# errors}}, {warnings, plural, one {# warning} other {# warnings}}",
    ),
    ("cli.check.ready", "the file is ready to import"),
    (
        "cli.check.fix",
        "fix the rows above and check the file again",
    ),
    ("cli.check.rejected", "{path}: rejected: {reason}"),
    ("cli.import.status", "import {id}: {status}"),
    (
        "cli.import.rows",
        "{rows, plural, one {# row} other {# rows}}, {failed, plural, =0 {none with errors} one {# with errors} other {# with errors}}",
    ),
    (
        "cli.import.invitations",
        "invitations: {sent} sent, {failed} failed, {pending} pending",
    ),
    (
        "cli.import.more_issues",
        "... and {count, plural, one {# more issue} other {# more issues}}",
    ),
    (
        "cli.import.report",
        "no user was imported; `report {id} FILE.xlsx` writes the rows with their problems",
    ),
    (
        "cli.import.dry_run_fix",
        "nothing was written; fix the rows above and try again (`check FILE` lists the problems)",
    ),
    (
        "cli.import.kept",
        "users kept in {database}; invitations sent to {mail}",
    ),
    (
        "cli.import.resend",
        "{failed, plural, one {# invitation failed} other {# invitations failed}}: `resend {id}` tries them again",
    ),
    ("cli.import.is", "import {id} is {status}"),
    ("cli.imports.none", "no imports yet"),
    (
        "cli.imports.line",
        "{rows, plural, one {# row} other {# rows}}, {created} created, {added} added to groups",
    ),
    ("cli.imports.by", "by"),
    ("cli.phase.reading", "reading"),
    ("cli.phase.planning", "planning"),
    ("cli.phase.committing", "committing"),
    ("cli.phase.inviting", "inviting"),
    ("cli.phase.done", "done"),
    ("cli.summary.uploaded", "{file} uploaded by {by} on {date}"),
    ("cli.summary.notes", "notes: {notes}"),
    (
        "cli.enrolled",
        "enrolled {users, plural, one {# user} other {# users}} of import {id} in {courses, plural, one {# course} other {# courses}}",
    ),
    (
        "cli.resend.not_completed",
        "import {id} is {status}: only a completed import has invitations to send",
    ),
    (
        "cli.resend.done",
        "resent {count, plural, one {# invitation} other {# invitations}} of import {id}: {sent} sent, {failed} failed; in all {all_sent} sent, {all_failed} failed, {all_pending} pending",
    ),
    (
        "cli.report.written",
        "wrote {rows, plural, one {# row} other {# rows}} and {problems, plural, one {# problem} other {# problems}} to {file}",
    ),
    ("cli.template.written", "wrote the template to {file}"),
    (
        "cli.sample.written",
        "wrote {users, plural, one {# user} other {# users}} to {file}",
    ),
    (
        "cli.locations.none",
        "no country or region matches `{query}`",
    ),
    ("cli.queue.idle", "the queue is idle"),
    (
        "cli.usage.database_url",
        "--database-url takes a `sqlite://FILE` or `postgres://...` URL, not `{url}`",
    ),
    (
        "cli.usage.no_postgres",
        "{url}: this build has no PostgreSQL store; run the example with `--features jobs-postgres,smtp`",
    ),
    (
        "cli.usage.smtp_url",
        "--smtp-url takes an `smtp://HOST:PORT` or `smtps://HOST:PORT` URL, not `{url}`",
    ),
    ("cli.usage.lookup", "give a name or a code to look up"),
    ("cli.failure.read", "cannot read {path}: {reason}"),
    ("cli.failure.write", "cannot write {path}: {reason}"),
    ("cli.failure.engine", "{action}: {reason}"),
    ("cli.failure.runtime", "cannot start the runtime: {reason}"),
    ("cli.failure.state_folder", "cannot create {path}: {reason}"),
    (
        "cli.failure.cannot_with",
        "cannot {action} {target}: {reason}",
    ),
    ("cli.failure.cannot", "cannot {action}: {reason}"),
    (
        "cli.failure.no_import",
        "there is no import `{id}`; `imports` lists them",
    ),
    (
        "cli.failure.upload_missing",
        "the upload of import {id} is not kept: {reason}",
    ),
    (
        "cli.failure.upload_unreadable",
        "the upload of import {id} cannot be read, so there are no rows to report: {reason}",
    ),
    ("cli.failure.output", "cannot write the output: {reason}"),
];

/// The host's lines in French.
const FRENCH: &[(&str, &str)] = &[
    ("cli.status.pending", "en attente"),
    ("cli.status.running", "en cours"),
    ("cli.status.completed", "terminée"),
    ("cli.status.failed", "échouée"),
    ("cli.severity.error", "erreur"),
    ("cli.severity.warning", "avertissement"),
    ("cli.issue", "{severity} : {message}"),
    (
        "cli.check.header",
        "{path} : feuille « {sheet} », {rows, plural, one {# ligne} other {# lignes}}, {valid, plural, one {# valide} other {# valides}}, {errors, plural, one {# erreur} other {# erreurs}}, {warnings, plural, one {# avertissement} other {# avertissements}}",
    ),
    ("cli.check.ready", "le fichier est prêt à être importé"),
    (
        "cli.check.fix",
        "corrigez les lignes ci-dessus et vérifiez de nouveau le fichier",
    ),
    ("cli.check.rejected", "{path} : refusé : {reason}"),
    ("cli.import.status", "importation {id} : {status}"),
    (
        "cli.import.rows",
        "{rows, plural, one {# ligne} other {# lignes}}, {failed, plural, =0 {aucune en erreur} one {# en erreur} other {# en erreur}}",
    ),
    (
        "cli.import.invitations",
        "invitations : {sent, plural, one {# envoyée} other {# envoyées}}, {failed, plural, one {# en échec} other {# en échec}}, {pending, plural, one {# en attente} other {# en attente}}",
    ),
    (
        "cli.import.more_issues",
        "... et {count, plural, one {# autre problème} other {# autres problèmes}}",
    ),
    (
        "cli.import.report",
        "aucun utilisateur n'a été importé ; `report {id} FICHIER.xlsx` écrit les lignes avec leurs problèmes",
    ),
    (
        "cli.import.dry_run_fix",
        "rien n'a été écrit ; corrigez les lignes ci-dessus et recommencez (`check FICHIER` liste les problèmes)",
    ),
    (
        "cli.import.kept",
        "utilisateurs conservés dans {database} ; invitations envoyées vers {mail}",
    ),
    (
        "cli.import.resend",
        "{failed, plural, one {# invitation a échoué} other {# invitations ont échoué}} : `resend {id}` les renvoie",
    ),
    ("cli.import.is", "l'importation {id} est {status}"),
    ("cli.imports.none", "aucune importation pour le moment"),
    (
        "cli.imports.line",
        "{rows, plural, one {# ligne} other {# lignes}}, {created, plural, one {# créé} other {# créés}}, {added, plural, one {# ajouté aux groupes} other {# ajoutés aux groupes}}",
    ),
    ("cli.imports.by", "par"),
    ("cli.phase.reading", "lecture"),
    ("cli.phase.planning", "préparation"),
    ("cli.phase.committing", "enregistrement"),
    ("cli.phase.inviting", "invitations"),
    ("cli.phase.done", "fini"),
    ("cli.summary.uploaded", "{file} déposé par {by} le {date}"),
    ("cli.summary.notes", "notes : {notes}"),
    (
        "cli.enrolled",
        "{users, plural, one {# utilisateur} other {# utilisateurs}} de l'importation {id} {users, plural, one {inscrit} other {inscrits}} à {courses, plural, one {# cours} other {# cours}}",
    ),
    (
        "cli.resend.not_completed",
        "l'importation {id} est {status} : seule une importation terminée a des invitations à envoyer",
    ),
    (
        "cli.resend.done",
        "{count, plural, one {# invitation renvoyée} other {# invitations renvoyées}} pour l'importation {id} : {sent, plural, one {# envoyée} other {# envoyées}}, {failed, plural, one {# en échec} other {# en échec}} ; en tout {all_sent, plural, one {# envoyée} other {# envoyées}}, {all_failed, plural, one {# en échec} other {# en échec}}, {all_pending, plural, one {# en attente} other {# en attente}}",
    ),
    (
        "cli.report.written",
        "{rows, plural, one {# ligne écrite} other {# lignes écrites}} avec {problems, plural, one {# problème} other {# problèmes}} dans {file}",
    ),
    ("cli.template.written", "modèle écrit dans {file}"),
    (
        "cli.sample.written",
        "{users, plural, one {# utilisateur écrit} other {# utilisateurs écrits}} dans {file}",
    ),
    (
        "cli.locations.none",
        "aucun pays ni aucune région ne correspond à `{query}`",
    ),
    ("cli.queue.idle", "la file d'attente est vide"),
    (
        "cli.usage.database_url",
        "--database-url prend une URL `sqlite://FICHIER` ou `postgres://...`, pas `{url}`",
    ),
    (
        "cli.usage.no_postgres",
        "{url} : cette version n'a pas de stockage PostgreSQL ; lancez l'exemple avec `--features jobs-postgres,smtp`",
    ),
    (
        "cli.usage.smtp_url",
        "--smtp-url prend une URL `smtp://HÔTE:PORT` ou `smtps://HÔTE:PORT`, pas `{url}`",
    ),
    ("cli.usage.lookup", "donnez un nom ou un code à chercher"),
    ("cli.failure.read", "impossible de lire {path} : {reason}"),
    ("cli.failure.write", "impossible d'écrire {path} : {reason}"),
    ("cli.failure.engine", "{action} : {reason}"),
    (
        "cli.failure.runtime",
        "impossible de démarrer l'environnement d'exécution : {reason}",
    ),
    (
        "cli.failure.state_folder",
        "impossible de créer {path} : {reason}",
    ),
    (
        "cli.failure.cannot_with",
        "impossible de {action} {target} : {reason}",
    ),
    ("cli.failure.cannot", "impossible de {action} : {reason}"),
    (
        "cli.failure.no_import",
        "il n'y a pas d'importation `{id}` ; `imports` les liste",
    ),
    (
        "cli.failure.upload_missing",
        "le fichier déposé de l'importation {id} n'est pas conservé : {reason}",
    ),
    (
        "cli.failure.upload_unreadable",
        "le fichier déposé de l'importation {id} ne peut pas être lu, il n'y a donc pas de lignes à signaler : {reason}",
    ),
    (
        "cli.failure.output",
        "impossible d'écrire la sortie : {reason}",
    ),
    // What failed, in the host's English words: `cli.action.<words>`.
    (
        "cli.action.the import stopped",
        "l'importation s'est arrêtée",
    ),
    (
        "cli.action.the enrollment stopped",
        "l'inscription s'est arrêtée",
    ),
    ("cli.action.the resend stopped", "le renvoi s'est arrêté"),
    ("cli.action.the submission stopped", "le dépôt s'est arrêté"),
    (
        "cli.action.cannot write the error report",
        "impossible d'écrire le rapport d'erreurs",
    ),
    (
        "cli.action.cannot write the template",
        "impossible d'écrire le modèle",
    ),
    ("cli.action.list the groups", "lister les groupes"),
    ("cli.action.list the imports", "lister les importations"),
    ("cli.action.open the job queue", "ouvrir la file des tâches"),
    (
        "cli.action.open the uploads folder",
        "ouvrir le dossier des fichiers déposés",
    ),
    (
        "cli.action.read the batch-imports index",
        "lire l'index des importations",
    ),
    ("cli.action.send mail through", "envoyer le courriel par"),
    ("cli.action.set up the groups in", "créer les groupes dans"),
    (
        "cli.action.work the job queue",
        "traiter la file des tâches",
    ),
    ("cli.action.write mail to", "écrire le courriel dans"),
    ("cli.action.open", "ouvrir"),
    ("cli.action.connect to", "se connecter à"),
    ("cli.action.set up the schema in", "créer le schéma dans"),
];

/// `catalog` with the host's lines in its language (English for a language the host does not
/// have).
pub(crate) fn with_host_texts(catalog: Catalog) -> Catalog {
    let table = if catalog.language() == "fr" {
        FRENCH
    } else {
        ENGLISH
    };
    table
        .iter()
        .fold(catalog, |catalog, (key, text)| catalog.set(*key, *text))
}

/// The word for an import's status.
pub(crate) fn status(catalog: &Catalog, status: user_import::ImportStatus) -> String {
    catalog.fill(&format!("cli.status.{}", status.as_str()), &[])
}
