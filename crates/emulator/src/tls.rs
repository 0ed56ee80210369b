//! A throwaway certificate authority and server certificate per start.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::Error;

/// What the server presents, and the CA PEM clients should trust (when the
/// emulator made its own).
pub(crate) struct Identity {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) ca_pem: Option<String>,
}

/// A fresh CA, and a certificate for `127.0.0.1`, `::1` and `localhost`
/// signed by it. Nothing outlives the process.
pub(crate) fn fresh(alpn: &[&[u8]]) -> Result<Identity, Error> {
    let ca_key = KeyPair::generate().map_err(Error::Certificate)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(Error::Certificate)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "rescue-sso emulator CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(Error::Certificate)?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(Error::Certificate)?;
    let mut params = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(Error::Certificate)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "rescue-sso emulator");
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .map_err(Error::Certificate)?;
    let chain = vec![server_cert.der().clone()];
    let key = PrivateKeyDer::try_from(server_key.serialize_der()).map_err(|_| Error::Key)?;
    Ok(Identity {
        config: server_config(chain, key, alpn)?,
        ca_pem: Some(ca_pem),
    })
}

/// The caller's own certificate chain and key, in PEM.
pub(crate) fn supplied(
    cert_chain_pem: &str,
    key_pem: &str,
    alpn: &[&[u8]],
) -> Result<Identity, Error> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Error::Key)?;
    if chain.is_empty() {
        return Err(Error::Key);
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|_| Error::Key)?;
    Ok(Identity {
        config: server_config(chain, key, alpn)?,
        ca_pem: None,
    })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    alpn: &[&[u8]],
) -> Result<Arc<ServerConfig>, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::Tls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(Error::Tls)?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}
