//! The companies an emulator knows.

/// A company: its ID, master SSO password and technicians' SSO IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub(crate) id: String,
    pub(crate) password: String,
    pub(crate) technicians: Vec<String>,
}

impl Company {
    /// A company with no technicians yet.
    ///
    /// Rescue's company IDs are numbers: an ID that is not all ASCII digits
    /// is answered `INVALIDCOMPANYID` like any unknown one.
    pub fn new(company_id: impl Into<String>, password: impl Into<String>) -> Self {
        Company {
            id: company_id.into(),
            password: password.into(),
            technicians: Vec::new(),
        }
    }

    /// Adds a technician's SSO ID.
    #[must_use]
    pub fn technician(mut self, sso_id: impl Into<String>) -> Self {
        self.technicians.push(sso_id.into());
        self
    }

    /// The company ID.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Default for Company {
    /// The vendor page's example: `654321`, `secretPassword`, `123456`.
    fn default() -> Self {
        Company::new("654321", "secretPassword").technician("123456")
    }
}
