//! The desktop's loopback server (`appligarde-cli serve`) as an attacker meets it (issue 28,
//! item 8): a foreign `Host` (DNS rebinding) or `Origin` is refused, the UI carries its CSP and
//! frame protection, a wrong token is refused, nothing but the login commands answer before a login
//! (no user list with RPPS numbers, no database path, no backup), and a backup goes only into a
//! backup folder the admin chose, readable by its owner only. Raw HTTP over TCP, so that every header
//! is the test's choice.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Serveur {
    child: Child,
    port: u16,
    token: String,
}

impl Drop for Serveur {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reponse {
    status: u16,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: String,
}

impl Reponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

impl Serveur {
    fn start(store_args: &[String], ui: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
            .args(store_args)
            .args(["serve", "--listen", "127.0.0.1:0", "--ui"])
            .arg(ui)
            .env("APPLIGARDE_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // http://127.0.0.1:PORT/?token=TOKEN
        let rest = line.trim().strip_prefix("http://127.0.0.1:").unwrap();
        let (port, token) = rest.split_once("/?token=").unwrap();
        Self {
            child,
            port: port.parse().unwrap(),
            token: token.to_owned(),
        }
    }

    fn hote(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// One request with exactly these headers (plus `Content-Length` for a body).
    fn envoyer(&self, ligne: &str, headers: &[(&str, String)], body: Option<&str>) -> Reponse {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut request = format!("{ligne} HTTP/1.1\r\nConnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body.unwrap_or(""));
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Reponse {
            status: status.parse().unwrap(),
            headers,
            body: body.to_owned(),
        }
    }

    fn page(&self, hote: &str) -> Reponse {
        self.envoyer("GET /index.html", &[("Host", hote.to_owned())], None)
    }

    /// A command as the UI sends it (its own Host and Origin, the token).
    fn commande(&self, command: &str, args: Value) -> Reponse {
        self.envoyer(
            &format!("POST /api/invoke/{command}"),
            &[
                ("Host", self.hote()),
                ("Origin", format!("http://{}", self.hote())),
                ("Authorization", format!("Bearer {}", self.token)),
            ],
            Some(&args.to_string()),
        )
    }
}

#[test]
fn the_local_server_trusts_only_its_own_page_and_a_logged_in_user() {
    let dir = tempfile::tempdir().unwrap();
    let store_args = [
        "--data-dir".to_owned(),
        dir.path().join("data").display().to_string(),
        "--key-file".to_owned(),
        dir.path().join("key").display().to_string(),
    ];
    let seed = Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
        .args(&store_args)
        .args(["demo", "seed", "--consultations", "1"])
        .env("APPLIGARDE_LOG", "off")
        .output()
        .unwrap();
    assert!(seed.status.success());
    let ui = dir.path().join("ui");
    std::fs::create_dir(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Appligarde</title>",
    )
    .unwrap();
    let serveur = Serveur::start(&store_args, &ui);

    // The page: by address or as localhost, with its CSP and frame protection.
    for hote in [serveur.hote(), format!("localhost:{}", serveur.port)] {
        let page = serveur.page(&hote);
        assert_eq!(page.status, 200, "{hote}");
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
    // DNS rebinding: a foreign name pointing at 127.0.0.1, or the right name on another port.
    for hote in [
        format!("attaquant.example:{}", serveur.port),
        "attaquant.example".to_owned(),
        format!("127.0.0.1:{}", serveur.port.wrapping_add(1)),
    ] {
        let refus = serveur.page(&hote);
        assert_eq!(refus.status, 403, "{hote}");
        assert!(
            refus.json()["message"]
                .as_str()
                .unwrap()
                .contains("Accès refusé")
        );
        assert!(!refus.body.contains("Appligarde</title>"));
    }
    let sans_hote = serveur.envoyer("GET /index.html", &[], None);
    assert!(
        matches!(sans_hote.status, 400 | 403) && !sans_hote.body.contains("Appligarde</title>"),
        "no Host at all: {}",
        sans_hote.status
    );
    // A page of another origin posting with the right token (as a leaked token would allow).
    let autre_origine = serveur.envoyer(
        "POST /api/invoke/session_status",
        &[
            ("Host", serveur.hote()),
            ("Origin", "http://attaquant.example".to_owned()),
            ("Authorization", format!("Bearer {}", serveur.token)),
        ],
        Some("null"),
    );
    assert_eq!(autre_origine.status, 403);
    assert!(
        autre_origine.json()["message"]
            .as_str()
            .unwrap()
            .contains("autre page")
    );
    // A wrong token, of the right length and not.
    let mut faux = serveur.token.clone();
    faux.replace_range(0..1, if faux.starts_with('0') { "1" } else { "0" });
    for jeton in [faux, String::new(), format!("{}0", serveur.token)] {
        let refus = serveur.envoyer(
            "POST /api/invoke/session_status",
            &[
                ("Host", serveur.hote()),
                ("Authorization", format!("Bearer {jeton}")),
            ],
            Some("null"),
        );
        assert_eq!(refus.status, 401, "token {jeton:?}");
        assert_eq!(refus.json()["code"], "key");
    }

    // Before a login: the login screen gets names and roles, nothing else answers.
    let statut = serveur.commande("session_status", Value::Null);
    assert_eq!(statut.status, 200, "{}", statut.body);
    let comptes = statut.json()["comptes"].as_array().unwrap().clone();
    assert!(comptes.iter().any(|c| c["role"] == "medecin"));
    assert!(
        comptes.iter().all(|c| c["rpps"].is_null()),
        "no RPPS number before a login: {comptes:?}"
    );
    assert!(!statut.body.contains("1018159"), "{}", statut.body);
    let dossier = dir.path().join("sauvegardes");
    for (command, args) in [
        ("utilisateurs_list", Value::Null),
        ("app_info", Value::Null),
        (
            "backup_now",
            json!({ "dossier": dossier.display().to_string() }),
        ),
        ("tarifs_get", Value::Null),
        ("sauvegarde_etat", Value::Null),
    ] {
        let refus = serveur.commande(command, args);
        assert_eq!(refus.status, 401, "{command}: {}", refus.body);
        assert_eq!(refus.json()["code"], "unauthenticated", "{command}");
        assert!(!refus.body.contains("appligarde.db"), "{command}");
    }
    assert!(!dossier.exists(), "no backup before a login");

    // The admin logs in and chooses one backup folder.
    let admin = comptes.iter().find(|c| c["est_admin"] == true).unwrap()["id"].clone();
    let login = serveur.commande(
        "session_login",
        json!({ "utilisateur_id": admin, "mot_de_passe": "garde-demo" }),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let info = serveur.commande("app_info", Value::Null);
    assert_eq!(info.status, 200, "after the login: {}", info.body);
    std::fs::create_dir(&dossier).unwrap();
    let mut reglages = serveur.commande("sauvegarde_etat", Value::Null).json()["reglages"].clone();
    // A second folder, on a USB key that is not plugged in.
    let cle_absente = dir.path().join("cle-usb");
    reglages["destinations"] = json!([
        dossier.display().to_string(),
        cle_absente.display().to_string()
    ]);
    let saved = serveur.commande("sauvegarde_reglages_save", reglages);
    assert_eq!(saved.status, 200, "{}", saved.body);

    // Out of that folder: by `..`, or another folder; nothing is written.
    let ailleurs = dir.path().join("ailleurs");
    for (texte, attendu) in [
        (format!("{}/../ailleurs", dossier.display()), ".."),
        (ailleurs.display().to_string(), "Paramètres"),
        ("/tmp".to_owned(), "Paramètres"),
    ] {
        let refus = serveur.commande("backup_now", json!({ "dossier": texte }));
        assert_eq!(refus.status, 422, "{texte}: {}", refus.body);
        assert!(refus.body.contains(attendu), "{texte}: {}", refus.body);
    }
    assert!(!ailleurs.exists());
    // A chosen folder that is missing is never created (it would put the backup on the PC).
    let refus = serveur.commande(
        "backup_now",
        json!({ "dossier": cle_absente.display().to_string() }),
    );
    assert_eq!(refus.status, 422, "{}", refus.body);
    assert!(refus.body.contains("introuvable"), "{}", refus.body);
    assert!(!cle_absente.exists());
    // Into it: one file, its owner's only.
    let fait = serveur.commande(
        "backup_now",
        json!({ "dossier": dossier.display().to_string() }),
    );
    assert_eq!(fait.status, 200, "{}", fait.body);
    let fichier = std::path::PathBuf::from(fait.json()["fichier"].as_str().unwrap());
    assert_eq!(fichier.parent(), Some(dossier.as_path()));
    let noms: Vec<_> = std::fs::read_dir(&dossier)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        noms,
        [fichier.file_name().unwrap()],
        "no temporary file left"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&fichier).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the backup is readable by its owner only"
    );
}
