//! A certificate problem reads as what is wrong and what to do, in plain
//! words, with either transport; never as rustls's internal form.

use std::path::PathBuf;

use assert_cmd::Command;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rescue_sso_emulator::{BackgroundEmulator, Emulator};

struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca() -> Pki {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "test inspection CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params.self_signed(&key).expect("ca");
    Pki {
        ca_pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate from `pki` for `names`, changed by `adjust`.
fn leaf(
    pki: &Pki,
    names: &[&str],
    adjust: impl FnOnce(&mut CertificateParams),
) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("params");
    adjust(&mut params);
    let cert = params.signed_by(&key, &pki.issuer).expect("leaf");
    (cert.pem(), key.serialize_pem())
}

fn emulator(identity: Option<(String, String)>) -> BackgroundEmulator {
    let builder = Emulator::builder();
    let builder = match identity {
        Some((chain, key)) => builder.tls_identity(chain, key),
        None => builder,
    };
    builder.start_background().expect("emulator")
}

fn write_ca(name: &str, pem: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tls-{name}-{}.pem", std::process::id()));
    std::fs::write(&path, pem).expect("write ca");
    path
}

/// The `error:` line of `rescue-sso ticket` against `emulator`, with each
/// transport: both exit 69 with the same message.
fn error_line(emulator: &BackgroundEmulator, ca_file: Option<&PathBuf>) -> String {
    let mut lines = Vec::new();
    for transport in ["blocking", "hyper"] {
        let mut cmd = Command::cargo_bin("rescue-sso").expect("binary");
        cmd.env_clear()
            .env("RESCUE_SSO_PASSWORD", "secretPassword")
            .args(["ticket", "--ssoid", "123456", "--company-id", "654321"])
            .args(["--endpoint", &emulator.base_url(), "--transport", transport]);
        if let Some(path) = ca_file {
            cmd.arg("--ca-file").arg(path);
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(69), "{transport}: {out:?}");
        let line = String::from_utf8(out.stderr).expect("utf-8");
        assert!(!line.contains("Other("), "{line}");
        assert!(!line.contains("InvalidCertificate"), "{line}");
        assert!(line.starts_with("error: tls handshake failed: "), "{line}");
        lines.push(line);
    }
    assert_eq!(lines[0], lines[1], "both transports say the same");
    lines.remove(0)
}

#[test]
fn an_unknown_issuer_says_to_pass_the_ca() {
    let emulator = emulator(None);
    let line = error_line(&emulator, None);
    assert!(line.contains("not issued by a trusted authority"), "{line}");
    assert!(line.contains("--ca-file"), "{line}");
    assert_eq!(emulator.stats().requests, 0);
}

#[test]
fn a_ca_certificate_served_as_the_servers_is_named_as_such() {
    // The CA itself, with the server's names, presented as the server's.
    let key = KeyPair::generate().expect("key");
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).expect("p");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("ca");
    let emulator = emulator(Some((cert.pem(), key.serialize_pem())));
    let ca_file = write_ca("ca-as-leaf", &cert.pem());
    let line = error_line(&emulator, Some(&ca_file));
    assert!(
        line.contains("presented a ca certificate as its own"),
        "{line}"
    );
    assert!(line.contains("a certificate of its own"), "{line}");
}

#[test]
fn an_expired_certificate_says_so() {
    let pki = ca();
    let identity = leaf(&pki, &["127.0.0.1", "localhost"], |p| {
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    });
    let emulator = emulator(Some(identity));
    let ca_file = write_ca("expired", &pki.ca_pem);
    let line = error_line(&emulator, Some(&ca_file));
    assert!(line.contains("certificate has expired"), "{line}");
    assert!(line.contains("renew"), "{line}");
}

#[test]
fn a_certificate_for_another_name_says_so() {
    let pki = ca();
    let identity = leaf(&pki, &["rescue.other.example"], |_| {});
    let emulator = emulator(Some(identity));
    let ca_file = write_ca("wrong-name", &pki.ca_pem);
    let line = error_line(&emulator, Some(&ca_file));
    assert!(line.contains("not valid for this host name"), "{line}");
    assert!(line.contains("--endpoint"), "{line}");
}
