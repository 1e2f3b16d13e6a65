//! Real mail servers for the secure messaging tests: a test certificate authority (rcgen), and
//! Debian's postfix started from a configuration of its own in a temporary directory, listening
//! on 127.0.0.1 on a free port, with STARTTLS and client certificates required (or without TLS
//! at all, for the "never in clear" test), delivering into maildirs that the test reads back.
//! Each server is stopped (by its own `postfix -c DIR stop`, then its process id) when dropped.
#![allow(clippy::unwrap_used, dead_code)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};

/// A certificate authority made for one test.
pub struct Autorite {
    cert: rcgen::Certificate,
    cle: KeyPair,
}

/// A certificate and its key, PEM.
pub struct Paire {
    pub cert_pem: String,
    pub cle_pem: String,
    pub cert_der: Vec<u8>,
    pub cle_der: Vec<u8>,
}

impl Autorite {
    pub fn nouvelle(nom: &str) -> Self {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, nom);
        let cle = KeyPair::generate().unwrap();
        let cert = p.self_signed(&cle).unwrap();
        Self { cert, cle }
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    fn signer(&self, p: CertificateParams) -> Paire {
        let cle = KeyPair::generate().unwrap();
        let cert = p.signed_by(&cle, &self.cert, &self.cle).unwrap();
        Paire {
            cert_pem: cert.pem(),
            cle_pem: cle.serialize_pem(),
            cert_der: cert.der().to_vec(),
            cle_der: cle.serialize_der(),
        }
    }

    /// The server's certificate for 127.0.0.1.
    pub fn serveur(&self) -> Paire {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "127.0.0.1");
        p.subject_alt_names
            .push(SanType::IpAddress(Ipv4Addr::LOCALHOST.into()));
        self.signer(p)
    }

    /// A mailbox's client certificate, as the PKCS#12 file an operator delivers.
    pub fn client_p12(&self, adresse: &str, mot_de_passe: &str) -> Vec<u8> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, adresse);
        let paire = self.signer(p);
        let chaine = p12_keystore::PrivateKeyChain::new(
            &paire.cle_der,
            [1u8, 2, 3, 4],
            [
                p12_keystore::Certificate::from_der(&paire.cert_der).unwrap(),
                p12_keystore::Certificate::from_der(self.cert.der()).unwrap(),
            ],
        );
        let mut magasin = p12_keystore::KeyStore::new();
        magasin.add_entry(
            adresse,
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chaine),
        );
        magasin.writer(mot_de_passe).write().unwrap()
    }
}

/// A port nobody listens on now.
pub fn port_libre() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How the server takes mail.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Securite {
    /// STARTTLS required, with a client certificate signed by the given authority.
    TlsCertificatClient,
    /// No TLS offered at all.
    EnClair,
}

pub struct Postfix {
    racine: PathBuf,
    pub port: u16,
    processus: Option<Child>,
}

fn uid_postfix() -> String {
    let out = Command::new("id").args(["-u", "postfix"]).output().unwrap();
    assert!(out.status.success(), "the postfix user exists (xtask deps)");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Postfix {
    /// Starts postfix in `racine` (created) on `port`, TLS with `certificat` (its CA verifies the
    /// clients too), delivering the mailboxes `boites` of its virtual domains into maildirs.
    pub fn demarrer(
        racine: &Path,
        port: u16,
        securite: Securite,
        certificat: &Paire,
        ca_clients: &Autorite,
        boites: &[&str],
    ) -> Self {
        use std::os::unix::fs::PermissionsExt;
        for d in ["conf", "queue", "data", "mail"] {
            std::fs::create_dir_all(racine.join(d)).unwrap();
        }
        // The postfix processes (user postfix) must reach their directories.
        let mut chemin = racine.to_path_buf();
        loop {
            if chemin.starts_with(std::env::temp_dir()) && chemin != std::env::temp_dir() {
                std::fs::set_permissions(&chemin, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            if !chemin.pop() {
                break;
            }
        }
        let uid = uid_postfix();
        for d in ["data", "mail"] {
            let ok = Command::new("chown")
                .arg("postfix")
                .arg(racine.join(d))
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let r = racine.display();
        std::fs::write(racine.join("cert.pem"), &certificat.cert_pem).unwrap();
        std::fs::write(racine.join("cle.pem"), &certificat.cle_pem).unwrap();
        std::fs::set_permissions(
            racine.join("cle.pem"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        std::fs::write(racine.join("ca.pem"), ca_clients.pem()).unwrap();
        let mut domaines: Vec<&str> = boites
            .iter()
            .filter_map(|b| b.split_once('@').map(|(_, d)| d))
            .collect();
        domaines.sort();
        domaines.dedup();
        let tls = match securite {
            Securite::TlsCertificatClient => format!(
                "smtpd_tls_cert_file = {r}/cert.pem\nsmtpd_tls_key_file = {r}/cle.pem\nsmtpd_tls_CAfile = {r}/ca.pem\nsmtpd_tls_security_level = encrypt\nsmtpd_tls_ask_ccert = yes\nsmtpd_tls_req_ccert = yes\nsmtpd_tls_loglevel = 1\n"
            ),
            Securite::EnClair => "smtpd_tls_security_level = none\n".to_owned(),
        };
        std::fs::write(
            racine.join("conf/main.cf"),
            format!(
                "compatibility_level = 3.6\nqueue_directory = {r}/queue\ndata_directory = {r}/data\nmeta_directory = /etc/postfix\nshlib_directory = /usr/lib/postfix\nmail_owner = postfix\nsetgid_group = postdrop\nmyhostname = localhost\nmydomain = localhost\nmydestination =\ninet_interfaces = 127.0.0.1\ninet_protocols = ipv4\nmaillog_file = /dev/stdout\nsmtputf8_enable = no\nvirtual_mailbox_domains = {domaines}\nvirtual_mailbox_base = {r}/mail\nvirtual_mailbox_maps = texthash:{r}/conf/boites\nvirtual_uid_maps = static:{uid}\nvirtual_gid_maps = static:{uid}\nmessage_size_limit = 20480000\n{tls}",
                domaines = domaines.join(", ")
            ),
        )
        .unwrap();
        let liste: String = boites.iter().map(|b| format!("{b} {b}/\n")).collect();
        std::fs::write(racine.join("conf/boites"), liste).unwrap();
        std::fs::write(
            racine.join("conf/master.cf"),
            format!(
                "127.0.0.1:{port} inet n - n - - smtpd\n{}",
                "cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"
            ),
        )
        .unwrap();
        // start-fg logs to its standard output (`maillog_file = /dev/stdout`), kept in a file.
        let journal = std::fs::File::create(racine.join("maillog")).unwrap();
        let processus = Command::new("postfix")
            .arg("-c")
            .arg(racine.join("conf"))
            .arg("start-fg")
            .stdout(journal.try_clone().unwrap())
            .stderr(journal)
            .spawn()
            .expect("postfix is installed (xtask deps)");
        let mut pf = Self {
            racine: racine.to_path_buf(),
            port,
            processus: Some(processus),
        };
        pf.attendre_ecoute();
        pf
    }

    /// Waits until the server accepts connections (bounded: 20 s).
    fn attendre_ecoute(&mut self) {
        let debut = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(p) = self.processus.as_mut()
                && let Ok(Some(statut)) = p.try_wait()
            {
                panic!("postfix stopped ({statut}); its log:\n{}", self.journal());
            }
            assert!(
                debut.elapsed() < Duration::from_secs(20),
                "postfix does not listen on {}; its log:\n{}",
                self.port,
                self.journal()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn journal(&self) -> String {
        std::fs::read_to_string(self.racine.join("maillog")).unwrap_or_default()
    }

    /// The messages delivered to `boite`, each once, in no particular order.
    pub fn recus(&self, boite: &str) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sous in ["new", "cur"] {
            let Ok(entrees) = std::fs::read_dir(self.racine.join("mail").join(boite).join(sous))
            else {
                continue;
            };
            for e in entrees {
                out.push(std::fs::read(e.unwrap().path()).unwrap());
            }
        }
        out
    }

    /// Waits until `boite` holds `n` messages (bounded: 20 s; delivery follows the 250 reply).
    pub fn attendre(&self, boite: &str, n: usize) -> Vec<Vec<u8>> {
        let debut = Instant::now();
        loop {
            let recus = self.recus(boite);
            if recus.len() >= n {
                return recus;
            }
            assert!(
                debut.elapsed() < Duration::from_secs(20),
                "{boite} holds {} message(s), {n} expected; the server's log:\n{}",
                recus.len(),
                self.journal()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops this instance: `postfix -c DIR stop` signals its own master (by its pid file), then
    /// the foreground process we started ends.
    pub fn arreter(&mut self) {
        let Some(mut p) = self.processus.take() else {
            return;
        };
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.racine.join("conf"))
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let debut = Instant::now();
        while matches!(p.try_wait(), Ok(None)) && debut.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(p.try_wait(), Ok(None)) {
            let _ = p.kill();
        }
        let _ = p.wait();
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        self.arreter();
    }
}
