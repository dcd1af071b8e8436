//! The French texts: every key of the English catalogue.

/// French texts, every key of the English catalogue.
pub(super) const FR: &[(&str, &str)] = &[
    ("issue.row_column", "ligne {row}, {column} : {message}"),
    ("issue.row", "ligne {row} : {message}"),
    ("issue.column", "colonne {column} : {message}"),
    ("list.and", "{head} et {last}"),
    ("list.more", "{head} et {more} autres"),
    // Issue messages.
    (
        "value.required",
        "la valeur manque ; remplissez {column} pour chaque utilisateur",
    ),
    (
        "cell.formula",
        "la cellule contient la formule « {formula} » ; tapez la valeur elle-même, en texte",
    ),
    (
        "cell.error_value",
        "la cellule contient la valeur d'erreur « {value} » ; tapez la valeur elle-même, en texte",
    ),
    (
        "value.control_character",
        "« {value} » contient un caractère de contrôle ({character}) ; supprimez-le et gardez la valeur sur une seule ligne",
    ),
    (
        "value.format_character",
        "« {value} » contient le caractère invisible {character}, qui {effect} ; supprimez-le et tapez de nouveau la valeur",
    ),
    (
        "value.too_long",
        "la valeur compte {length, plural, one {# caractère} other {# caractères}}, au-delà de la limite de {limit} ; raccourcissez-la",
    ),
    (
        "email.invalid",
        "« {value} » n'est pas une adresse courriel valide : {reason} ; tapez une seule adresse, comme nom@exemple.com",
    ),
    (
        "email.duplicate",
        "« {value} » figure aux lignes {rows} (les adresses sont comparées sans tenir compte des majuscules) ; donnez à chaque utilisateur sa propre adresse, ou supprimez les lignes en trop",
    ),
    (
        "country.name_not_code",
        "« {value} » est un nom de pays ; utilisez le code « {code} »",
    ),
    (
        "country.alpha3_code",
        "« {value} » est un code de pays à trois lettres ; utilisez le code à deux lettres « {code} »",
    ),
    (
        "country.unknown",
        "« {value} » n'est pas un code de pays ISO 3166-1 ; utilisez un code à deux lettres de la feuille Codes de lieux, comme « CA » pour le Canada",
    ),
    (
        "country.required_from_region",
        "la valeur manque ; la région « {region} » est dans le pays {region_country}, remplissez donc « {code} »",
    ),
    (
        "region.name_not_code",
        "« {value} » est un nom de région ; utilisez le code « {code} »",
    ),
    (
        "region.unknown",
        "« {value} » n'est pas un code de région du pays {country} ; utilisez un code de la feuille Codes de lieux, comme « {example} »",
    ),
    (
        "region.country_mismatch",
        "« {value} » est une région du pays {region_country}, mais le pays de la ligne est {country} ; corrigez le pays ou la région",
    ),
    (
        "region.required",
        "la valeur manque ; le pays {country} a des régions, donnez donc l'un de ses codes de région, comme « {example} »",
    ),
    (
        "region.not_expected",
        "« {value} » n'est pas une région du pays {country}, qui n'en a pas ; laissez la cellule vide",
    ),
    (
        "date.format",
        "« {value} » n'est pas une date au format AAAA-MM-JJ ; tapez-la sous la forme AAAA-MM-JJ, par exemple 2024-03-31",
    ),
    (
        "date.impossible",
        "« {value} » n'est pas une date qui existe ; vérifiez le jour et le mois et tapez-la sous la forme AAAA-MM-JJ",
    ),
    (
        "choice.invalid",
        "« {value} » ne fait pas partie des choix ({choices}) ; choisissez-en un dans la liste déroulante",
    ),
    (
        "cell.number_format",
        "la cellule affiche « {shown} » mais contient le nombre {stored}, qui est ce qui est importé ; si « {shown} » est voulu, mettez la cellule au format Texte et tapez-la de nouveau",
    ),
    (
        "file.macros_ignored",
        "le classeur contient des macros (« {part} ») ; elles n'ont pas été exécutées et sont ignorées : seules les valeurs des cellules sont lues",
    ),
    (
        "column.unknown",
        "cette colonne ne fait pas partie du modèle et est ignorée ; donnez-lui l'un des en-têtes du modèle ou supprimez-la",
    ),
    (
        "column.values_without_header",
        "les cellules de la colonne {letter} n'ont pas d'en-tête et sont ignorées (d'abord à la ligne {first_row}) ; placez les valeurs sous un en-tête du modèle ou supprimez-les",
    ),
    (
        "file.too_many_issues",
        "{count, plural, one {# autre problème a été trouvé et n'est pas listé} other {# autres problèmes ont été trouvés et ne sont pas listés}} ; corrigez ceux qui sont affichés et vérifiez de nouveau le fichier",
    ),
    (
        "import.unknown_groups",
        "{count, plural, one {le groupe {groups} n'existe pas ; choisissez un groupe existant} other {les groupes {groups} n'existent pas ; choisissez des groupes existants}} et importez de nouveau le fichier",
    ),
    (
        "import.seat_limit",
        "le fichier crée {needed, plural, one {# nouvel utilisateur} other {# nouveaux utilisateurs}}, mais il ne reste que {left, plural, one {# place} other {# places}} ({active} sur {limit} occupées) ; retirez {over, plural, one {# nouvel utilisateur} other {# nouveaux utilisateurs}} du fichier ou augmentez la limite de l'abonnement",
    ),
    (
        "import.too_many_conflicts",
        "d'autres importations modifiaient sans cesse les mêmes utilisateurs ({attempts, plural, one {# tentative} other {# tentatives}}) ; rien n'a été importé, importez de nouveau le fichier",
    ),
    ("file.rejected", "{reason}"),
    // What an invisible format character does.
    (
        "value.format_effect.reverse",
        "inverse le texte affiché après lui",
    ),
    (
        "value.format_effect.reorder",
        "change l'ordre dans lequel s'affiche le texte qui l'entoure",
    ),
    (
        "value.format_effect.hide",
        "ne s'affiche pas, si bien que la valeur ressemble à une autre",
    ),
    ("value.format_effect.line", "commence une nouvelle ligne"),
    // Why an email address is not valid.
    ("email.reason.empty", "elle est vide"),
    (
        "email.reason.display_name",
        "elle contient un nom ou des chevrons en plus de l'adresse",
    ),
    ("email.reason.space", "elle contient une espace"),
    (
        "email.reason.control",
        "elle contient l'espace ou le caractère de contrôle U+{code_point}",
    ),
    (
        "email.reason.invisible",
        "elle contient le caractère invisible U+{code_point} (souvent ajouté par un copier-coller depuis une page web ou un document)",
    ),
    (
        "email.reason.several",
        "elle contient plus d'une adresse, ou une virgule ou un point-virgule",
    ),
    ("email.reason.no_at", "elle n'a pas de @"),
    ("email.reason.two_at", "elle a plus d'un @"),
    ("email.reason.empty_local", "rien ne précède le @"),
    ("email.reason.empty_domain", "rien ne suit le @"),
    (
        "email.reason.local_too_long",
        "la partie avant le @ compte {length} caractères, au-delà de la limite de 64",
    ),
    (
        "email.reason.local_character",
        "la partie avant le @ contient le caractère « {character} », que les adresses n'utilisent pas",
    ),
    (
        "email.reason.local_dots",
        "la partie avant le @ commence ou finit par un point, ou a deux points de suite",
    ),
    (
        "email.reason.ip_literal",
        "le domaine est une adresse IP, et non un nom comme exemple.com",
    ),
    (
        "email.reason.domain_not_ascii",
        "le domaine « {domain} » a des lettres hors de a-z, qui doivent être écrites sous la forme ASCII (xn--) du domaine",
    ),
    (
        "email.reason.domain_too_long",
        "le domaine compte {length} caractères, au-delà de la limite de 253",
    ),
    (
        "email.reason.domain_no_dot",
        "le domaine « {domain} » n'a pas de point",
    ),
    (
        "email.reason.domain_empty_label",
        "le domaine « {domain} » a une partie vide entre deux points",
    ),
    (
        "email.reason.label_too_long",
        "la partie « {label} » du domaine compte {length} caractères, au-delà de la limite de 63",
    ),
    (
        "email.reason.domain_character",
        "le domaine contient le caractère « {character} » ; un domaine n'utilise que des lettres, des chiffres, des traits d'union et des points",
    ),
    (
        "email.reason.label_hyphen",
        "la partie « {label} » du domaine commence ou finit par un trait d'union",
    ),
    (
        "email.reason.tld",
        "le domaine finit par « {tld} », qui n'est pas un domaine de premier niveau comme .com ou .org",
    ),
    ("email.reason.other", "{detail}"),
    // A rejected file.
    (
        "error.file.not_xlsx",
        "le fichier est {kind}, et non un classeur Excel ; {advice}",
    ),
    (
        "error.file.limit_exceeded",
        "le fichier dépasse la limite de {limit} pour {what} ({value}) ; {advice}",
    ),
    (
        "error.file.corrupt",
        "le classeur est endommagé : {detail} ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.cell_outside_grid",
        "le classeur est endommagé : la partie « {part} » contient la référence de cellule « {reference} », hors de la grille d'Excel de 1048576 lignes et 16384 colonnes (XFD) ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.duplicate_cell",
        "le classeur est endommagé : la feuille « {sheet} » a deux cellules en {reference} ; ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "error.file.sheet_not_found",
        "aucune feuille ne contient les utilisateurs : une feuille nommée « {expected_sheet} » ou dont la première ligne a les en-têtes {expected_headers} était attendue ; le fichier a les feuilles {found} ; remplissez le modèle téléchargé",
    ),
    (
        "error.file.missing_column",
        "il manque à la feuille « {sheet} » la colonne obligatoire {missing} ; ajoutez-la à la ligne d'en-tête (ligne {header_row}) ou remplissez le modèle téléchargé",
    ),
    (
        "error.file.missing_columns",
        "il manque à la feuille « {sheet} » les colonnes obligatoires {missing} ; ajoutez-les à la ligne d'en-tête (ligne {header_row}) ou remplissez le modèle téléchargé",
    ),
    (
        "error.file.duplicate_column",
        "la feuille « {sheet} » a deux fois la colonne « {header} » (colonnes {first} et {second}) ; gardez-en une et supprimez l'autre",
    ),
    (
        "error.file.no_rows",
        "la feuille « {sheet} » n'a aucun utilisateur sous la ligne d'en-tête ; ajoutez un utilisateur par ligne, à partir de la ligne {first_row}",
    ),
    ("error.schema.invalid", "schéma non valide : {detail}"),
    (
        "error.write.failed",
        "le classeur n'a pas pu être écrit : {detail}",
    ),
    ("error.store.failed", "{detail}"),
    ("file_kind.empty", "un fichier vide"),
    ("file_kind.csv", "un fichier texte CSV"),
    ("file_kind.text", "un fichier texte"),
    ("file_kind.xls", "un ancien classeur Excel 97-2003 (.xls)"),
    (
        "file_kind.encrypted",
        "un classeur protégé par mot de passe",
    ),
    ("file_kind.ods", "une feuille de calcul OpenDocument (.ods)"),
    ("file_kind.xlsb", "un classeur Excel binaire (.xlsb)"),
    (
        "file_kind.zip",
        "une archive zip qui ne contient aucun classeur Excel",
    ),
    (
        "file_kind.truncated",
        "un fichier endommagé ou incomplet (il a peut-être été coupé pendant le téléversement)",
    ),
    ("file_kind.html", "une page HTML"),
    ("file_kind.pdf", "un document PDF"),
    ("file_kind.unknown", "un fichier d'un type inconnu"),
    (
        "file_advice.encrypted",
        "retirez le mot de passe (Fichier > Informations > Protéger le classeur) et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "file_advice.truncated",
        "téléversez de nouveau le fichier, ou ouvrez-le dans Excel et enregistrez-le de nouveau en .xlsx",
    ),
    (
        "file_advice.empty",
        "remplissez le modèle et téléversez le fichier .xlsx enregistré",
    ),
    (
        "file_advice.other",
        "ouvrez-le dans Excel ou LibreOffice et enregistrez-le comme classeur Excel (.xlsx), ou remplissez le modèle téléchargé",
    ),
    ("limit.size", "la taille en octets"),
    ("limit.parts", "le nombre de parties du paquet zip"),
    (
        "limit.part_size",
        "la plus grande partie, en octets décompressés,",
    ),
    ("limit.ratio", "le taux de compression d'une partie"),
    (
        "limit.total_size",
        "la taille décompressée totale en octets",
    ),
    (
        "limit.shared_strings_size",
        "la partie des chaînes partagées, en octets décompressés,",
    ),
    ("limit.shared_strings", "le nombre de chaînes partagées"),
    (
        "limit.declared_shared_strings",
        "le nombre déclaré de chaînes partagées",
    ),
    (
        "limit.styles",
        "le nombre de formats de cellule, polices, remplissages et bordures de la partie des styles",
    ),
    (
        "limit.columns",
        "le nombre de colonnes de la ligne d'en-tête",
    ),
    ("limit.rows", "le nombre de lignes d'utilisateurs"),
    (
        "limit.text",
        "la longueur totale des valeurs des cellules en octets",
    ),
    (
        "limit_advice.split",
        "répartissez les utilisateurs sur plusieurs fichiers",
    ),
    (
        "limit_advice.attachments",
        "enregistrez de nouveau le classeur depuis Excel, sans pièces jointes ni objets incorporés",
    ),
    (
        "limit_advice.compression",
        "ce n'est pas ainsi qu'Excel compresse un classeur ; enregistrez de nouveau le fichier depuis Excel",
    ),
    (
        "limit_advice.styles",
        "supprimez les styles de cellule inutilisés (de longs formats de nombre ou noms de police abaissent la limite), ou enregistrez de nouveau le fichier depuis Excel",
    ),
    (
        "limit_advice.columns",
        "supprimez les colonnes que le modèle n'a pas",
    ),
    (
        "limit_advice.shared_text",
        "un texte partagé compte une fois pour chaque cellule qui l'utilise ; répartissez les utilisateurs sur plusieurs fichiers",
    ),
    // The summary.
    ("summary.rejected", "le fichier a été refusé : {error}"),
    (
        "summary.problems",
        "{count, plural, one {# problème} other {# problèmes}} dans {rows, plural, one {# ligne} other {# lignes}} ; corrigez le fichier et téléversez-le de nouveau",
    ),
    (
        "summary.completed",
        "{created, plural, one {# utilisateur créé} other {# utilisateurs créés}}, {added, plural, one {# utilisateur existant ajouté aux groupes} other {# utilisateurs existants ajoutés aux groupes}}, {untouched, plural, one {# laissé tel quel} other {# laissés tels quels}} ; {sent, plural, one {# invitation envoyée} other {# invitations envoyées}}, {failed, plural, one {# non remise} other {# non remises}}{existing, plural, =0 {} one { ; # utilisateur existant n'a reçu que les groupes : les autres valeurs du fichier ne lui ont pas été appliquées} other { ; # utilisateurs existants n'ont reçu que les groupes : les autres valeurs du fichier ne leur ont pas été appliquées}}",
    ),
    (
        "summary.dry_run",
        "essai : {created, plural, one {# utilisateur serait créé} other {# utilisateurs seraient créés}}, {added, plural, one {# utilisateur existant ajouté aux groupes} other {# utilisateurs existants ajoutés aux groupes}}, {untouched, plural, one {# laissé tel quel} other {# laissés tels quels}}{existing, plural, =0 {} one { ; # utilisateur existant ne recevrait que les groupes : les autres valeurs du fichier ne lui seraient pas appliquées} other { ; # utilisateurs existants ne recevraient que les groupes : les autres valeurs du fichier ne leur seraient pas appliquées}} ; rien n'a été écrit ni envoyé",
    ),
    (
        "summary.failed",
        "l'importation a échoué et rien n'a été importé : {reason}",
    ),
    ("summary.in_progress", "l'importation est en cours"),
    // The template.
    ("template.title", "Importation d'utilisateurs"),
    ("template.sheet.users", "Utilisateurs"),
    ("template.sheet.instructions", "Instructions"),
    ("template.sheet.locations", "Codes de lieux"),
    ("template.sheet.lists", "Listes"),
    ("template.required", "Obligatoire"),
    ("template.optional", "Facultatif"),
    ("template.example", "Exemple : {example}"),
    (
        "template.pick_country",
        "Choisissez un code de pays, ou consultez la feuille {locations}.",
    ),
    (
        "template.pick_one",
        "Choisissez l'une des valeurs : {choices}",
    ),
    ("template.invalid", "{column} non valide"),
    (
        "template.instructions.rows",
        "Remplissez un utilisateur par ligne dans la feuille {sheet}, à partir de la ligne 2. Laissez la ligne d'en-tête telle quelle.",
    ),
    (
        "template.instructions.columns",
        "Seules les colonnes du modèle sont importées. Remplissez chaque colonne obligatoire pour chaque utilisateur.",
    ),
    (
        "template.instructions.text",
        "Tapez les valeurs en texte simple. Une cellule qui contient une formule ou le résultat d'une macro ne peut pas être importée.",
    ),
    (
        "template.instructions.codes",
        "Les colonnes Pays et Région prennent des codes de lieux, pas des noms : CA pour le Canada, CA-QC pour le Québec. La feuille {locations} les liste tous.",
    ),
    (
        "template.instructions.dates",
        "Écrivez les dates sous la forme AAAA-MM-JJ, par exemple 2024-03-31.",
    ),
    (
        "template.instructions.existing",
        "Un utilisateur dont l'adresse courriel a déjà un compte n'est ni modifié ni dupliqué : seuls les groupes de l'importation lui sont ajoutés.",
    ),
    (
        "template.instructions.all_or_nothing",
        "Si une ligne a un problème, aucun utilisateur n'est importé. Corrigez le fichier et téléversez-le de nouveau.",
    ),
    ("template.instructions.column", "Colonne"),
    ("template.instructions.what", "Quoi saisir"),
    ("template.locations.code", "Code"),
    ("template.locations.name", "Nom"),
    ("template.locations.type", "Type"),
    ("template.locations.country", "Pays"),
    ("template.locations.country_type", "Pays"),
    ("format.text", "du texte"),
    ("format.name", "le nom complet de l'utilisateur"),
    ("format.email", "une seule adresse courriel"),
    (
        "format.country",
        "un code de pays ISO 3166-1 (deux lettres), de la feuille {locations}",
    ),
    (
        "format.region",
        "un code de région ISO 3166-2 du pays de la ligne, de la feuille {locations}",
    ),
    ("format.date", "une date sous la forme AAAA-MM-JJ"),
    ("format.choice", "l'une des valeurs : {choices}"),
    // The error report.
    ("report.issues", "Problèmes"),
    ("report.problems", "Liste des problèmes"),
    ("report.problems_alt", "Problèmes d'importation"),
    ("report.row", "Ligne"),
    ("report.column", "Colonne"),
    ("report.value", "Valeur"),
    ("report.code", "Code"),
    ("report.message", "Message"),
    (
        "report.more",
        "{count, plural, one {# autre problème n'est pas listé} other {# autres problèmes ne sont pas listés}} : une feuille contient au plus {limit} lignes",
    ),
    (
        "report.unlisted",
        "cette ligne a des problèmes qui ne sont pas listés parce que le fichier en a trop ; corrigez les problèmes affichés et vérifiez de nouveau le fichier",
    ),
    // The invitation email.
    ("invitation.subject", "{name}, vous êtes invité"),
    ("invitation.greeting", "Bonjour {name},"),
    (
        "invitation.intro",
        "Un compte a été créé pour vous. Connectez-vous avec cette adresse courriel pour commencer.",
    ),
    (
        "invitation.accept",
        "Acceptez l'invitation et choisissez votre mot de passe :",
    ),
    // Text (CSV) and OpenDocument uploads.
    (
        "file.encoding_assumed",
        "le fichier n'est pas du texte UTF-8 ; il a donc été lu en {encoding}, l'encodage du CSV d'Excel pour les langues occidentales ; si des lettres accentuées semblent fausses, enregistrez-le en CSV UTF-8 et téléversez-le de nouveau",
    ),
    (
        "error.file.not_text",
        "le fichier n'est pas du texte lisible : la ligne {line} contient {what} ; enregistrez-le de nouveau en CSV UTF-8 ou comme classeur Excel (.xlsx)",
    ),
    (
        "error.import.deadline_passed",
        "l'importation a duré plus que sa limite de {limit} secondes et a été arrêtée, si bien que rien n'a été importé ; répartissez les utilisateurs sur plusieurs fichiers",
    ),
    (
        "error.request.too_long",
        "{text} : {chars} caractères, plus que les {limit} permis ; raccourcissez ce texte",
    ),
    ("request_text.message", "le message personnel"),
    ("request_text.notes", "les notes"),
    (
        "error.file.unclosed_quote",
        "la ligne {row} a une valeur qui ouvre un guillemet (\") sans le fermer, si bien que tout le reste du fichier serait lu comme cette seule valeur ; fermez le guillemet ou supprimez-le, puis enregistrez de nouveau le fichier",
    ),
    (
        "not_text.nul",
        "un octet NUL, que du texte ne contient jamais (du texte enregistré en UTF-16 sans marque d'ordre des octets en contient)",
    ),
    (
        "not_text.utf16",
        "des octets qui ne sont pas de l'UTF-16, alors que le fichier commence par une marque d'ordre des octets UTF-16",
    ),
    ("limit.line", "la longueur d'une ligne de texte, en octets,"),
    ("limit.values", "le nombre de valeurs d'une ligne"),
    (
        "limit.grid_rows",
        "le nombre de lignes, lignes vides comprises,",
    ),
    (
        "limit.ods_memory",
        "la mémoire nécessaire pour garder les feuilles OpenDocument, en octets,",
    ),
    ("limit.sheets", "le nombre de feuilles"),
    (
        "limit.rereads",
        "le nombre d'octets lus pour parcourir ses feuilles",
    ),
    (
        "limit_advice.rereads",
        "ses feuilles désignent encore et encore la même feuille de calcul, ce qu'Excel n'écrit jamais ; enregistrez de nouveau le fichier depuis Excel, ou copiez les utilisateurs dans le modèle",
    ),
    (
        "limit_advice.sheets",
        "supprimez les feuilles dont l'importation n'a pas besoin, ou copiez les utilisateurs dans le modèle",
    ),
    (
        "limit_advice.line",
        "une ligne aussi longue vient d'un fichier sans fins de ligne, ou d'un guillemet jamais fermé ; enregistrez de nouveau le fichier en CSV",
    ),
    (
        "limit_advice.grid_rows",
        "une feuille de calcul contient au plus 1048576 lignes ; supprimez les lignes vides ou répartissez les utilisateurs sur plusieurs fichiers",
    ),
    (
        "limit_advice.ods_memory",
        "une feuille OpenDocument est lue en entier ; enregistrez le fichier comme classeur Excel (.xlsx), ou répartissez les utilisateurs sur plusieurs fichiers",
    ),
];
