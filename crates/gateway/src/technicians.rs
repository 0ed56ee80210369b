//! Who a user is in Rescue: their SSO ID, from a template over the user name
//! or from a map file, and whether their groups allow them in.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rescue_sso_hyper::proto::SsoId;

use crate::error::ConfigError;

/// The longest user name accepted from a proxy or a token, in bytes.
pub(crate) const MAX_USER_BYTES: usize = 256;

/// `sso_id = "{user}"`, or text around it such as `"{user}@corp"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    before: String,
    after: String,
}

impl Template {
    /// The user name itself.
    pub(crate) fn user() -> Template {
        Template {
            before: String::new(),
            after: String::new(),
        }
    }

    /// `""` is no template at all: only the map file's users.
    pub(crate) fn parse_option(text: &str) -> Result<Option<Template>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        Template::parse(text).map(Some)
    }

    pub(crate) fn parse(text: &str) -> Result<Template, String> {
        let (before, after) = text
            .split_once("{user}")
            .ok_or_else(|| format!("{text:?} must contain {{user}}"))?;
        if after.contains("{user}") || [before, after].iter().any(|p| p.contains(['{', '}'])) {
            return Err(format!("{text:?}: {{user}} once, and no other braces"));
        }
        Ok(Template {
            before: before.to_owned(),
            after: after.to_owned(),
        })
    }

    fn apply(&self, user: &str) -> String {
        format!("{}{user}{}", self.before, self.after)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{user}}{}", self.before, self.after)
    }
}

/// `user,sso_id` lines, keyed by the normalised user name.
#[derive(Debug, Clone)]
pub(crate) struct MapFile {
    path: Option<PathBuf>,
    entries: HashMap<String, SsoId>,
}

impl MapFile {
    /// Reads `path`: one `user,sso_id` per line, no header; blank lines and
    /// lines starting with `#` are skipped. User names are normalised as
    /// the template's are, so the file can hold them as the proxy sends
    /// them.
    pub(crate) fn load(
        path: &Path,
        strip_domain: bool,
        lowercase: bool,
    ) -> Result<MapFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let key = "technicians.map_file";
        let mut entries = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |reason: String| ConfigError::Invalid {
                key: key.to_owned(),
                reason: format!("{} line {}: {reason}", path.display(), n + 1),
            };
            let (user, sso_id) = line
                .split_once(',')
                .ok_or_else(|| at("expected user,sso_id".to_owned()))?;
            let user = normalise(user.trim(), strip_domain, lowercase)
                .ok_or_else(|| at("the user name has more than one domain part".to_owned()))?;
            let sso_id = SsoId::new(sso_id.trim()).map_err(|e| at(e.to_string()))?;
            if user.is_empty() {
                return Err(at("empty user name".to_owned()));
            }
            if entries.insert(user, sso_id).is_some() {
                return Err(at("the user is listed twice".to_owned()));
            }
        }
        Ok(MapFile {
            path: Some(path.to_owned()),
            entries,
        })
    }

    pub(crate) fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> MapFile {
        MapFile {
            path: None,
            entries: pairs
                .into_iter()
                .filter_map(|(u, s)| SsoId::new(s).ok().map(|s| (u.to_owned(), s)))
                .collect(),
        }
    }
}

/// Strips `DOMAIN\` or `@domain` when asked, then lowercases ASCII letters
/// when asked. `None` for a name that is not one user of one domain: one
/// with a comma (how HTTP joins repeated headers), or, when stripping, more
/// than one domain part (`A\B\user`, `user@a@b`, `A\user@b`), since
/// taking one part would let whoever wrote the rest choose the technician.
/// Only ASCII folds: by Unicode rules the Kelvin sign lowercases to `k`.
fn normalise(user: &str, strip_domain: bool, lowercase: bool) -> Option<String> {
    if user.contains(',') {
        return None;
    }
    let mut name = user;
    if strip_domain {
        let backslashes = name.matches('\\').count();
        let ats = name.matches('@').count();
        if backslashes + ats > 1 {
            return None;
        }
        if let Some((_, rest)) = name.split_once('\\') {
            name = rest;
        }
        if let Some((local, _)) = name.split_once('@') {
            name = local;
        }
    }
    Some(if lowercase {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    })
}

/// Why a user gets no ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoTicket {
    /// The user has no SSO ID: not in the map, or the name makes none.
    NoSsoId,
    /// The user is in none of the allowed groups.
    NotInGroup,
}

/// The rules of `[technicians]`.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    /// `None`: `sso_id = ""`, only the map file's users have an SSO ID.
    template: Option<Template>,
    strip_domain: bool,
    lowercase: bool,
    map: Option<Arc<RwLock<MapFile>>>,
    allowed_groups: Option<Vec<String>>,
}

impl Rules {
    pub(crate) fn new(
        template: Option<Template>,
        strip_domain: bool,
        lowercase: bool,
        map: Option<MapFile>,
        allowed_groups: Option<Vec<String>>,
    ) -> Rules {
        Rules {
            template,
            strip_domain,
            lowercase,
            map: map.map(|m| Arc::new(RwLock::new(m))),
            allowed_groups,
        }
    }

    /// The SSO ID of `user`, if their groups let them in. The map file wins
    /// over the template; a user the map does not list gets the template's,
    /// unless there is no template (`sso_id = ""`).
    /// The groups that let a user in, if only some do.
    pub(crate) fn allowed_groups(&self) -> Option<&[String]> {
        self.allowed_groups.as_deref()
    }

    pub(crate) fn sso_id(&self, user: &str, groups: &[String]) -> Result<SsoId, NoTicket> {
        if let Some(allowed) = &self.allowed_groups
            && !groups.iter().any(|g| allowed.contains(g))
        {
            return Err(NoTicket::NotInGroup);
        }
        let name = normalise(user, self.strip_domain, self.lowercase).ok_or(NoTicket::NoSsoId)?;
        if let Some(map) = &self.map {
            let map = map
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(sso_id) = map.entries.get(&name) {
                return Ok(sso_id.clone());
            }
        }
        let template = self.template.as_ref().ok_or(NoTicket::NoSsoId)?;
        if name.is_empty() {
            return Err(NoTicket::NoSsoId);
        }
        SsoId::new(template.apply(&name)).map_err(|_| NoTicket::NoSsoId)
    }

    /// Reads the map file again (on SIGHUP). On an error the old map stays.
    pub(crate) fn reload(&self) -> Result<usize, ConfigError> {
        let Some(map) = &self.map else {
            return Ok(0);
        };
        let path = map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .path
            .clone();
        let Some(path) = path else {
            return Ok(0);
        };
        let fresh = MapFile::load(&path, self.strip_domain, self.lowercase)?;
        let count = fresh.entries.len();
        *map.write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(count)
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.template {
            Some(template) => writeln!(f, "sso_id = {:?}", template.to_string())?,
            None => writeln!(f, "sso_id = \"\" # only the map file's users")?,
        }
        writeln!(f, "strip_domain = {}", self.strip_domain)?;
        writeln!(f, "lowercase = {}", self.lowercase)?;
        if let Some(map) = &self.map {
            let map = map
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &map.path {
                Some(path) => writeln!(
                    f,
                    "map_file = {:?} # {} users",
                    path.display().to_string(),
                    map.entries.len()
                )?,
                None => writeln!(f, "# map: {} built-in users", map.entries.len())?,
            }
        }
        if let Some(groups) = &self.allowed_groups {
            writeln!(f, "allowed_groups = {groups:?}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(template: &str, strip: bool, lower: bool) -> Rules {
        Rules::new(
            Some(Template::parse(template).expect("template")),
            strip,
            lower,
            None,
            None,
        )
    }

    #[test]
    fn templates_and_normalisation() {
        let r = rules("{user}", true, true);
        for (user, want) in [
            ("CORP\\Alice", "alice"),
            ("Alice@Corp.Example", "alice"),
            ("bob", "bob"),
        ] {
            assert_eq!(
                r.sso_id(user, &[]).map(|s| s.to_string()),
                Ok(want.to_owned())
            );
        }
        let r = rules("tech-{user}@rescue", false, false);
        assert_eq!(
            r.sso_id("Alice", &[]).map(|s| s.to_string()),
            Ok("tech-Alice@rescue".to_owned())
        );
        assert_eq!(
            rules("{user}", true, false).sso_id("@corp", &[]),
            Err(NoTicket::NoSsoId)
        );
        assert_eq!(Template::parse_option("").map(|t| t.is_none()), Ok(true));
        for bad in ["user", "{user}{user}", "{user}}", "{x}{user}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    /// A name with more than one domain part is not a user of one domain:
    /// taking one part of it would let whoever chose the rest pick the
    /// technician (`evil\\bob@x`, or a proxy that appends, `alice, CORP\\bob`).
    #[test]
    fn a_name_with_more_than_one_domain_part_is_nobody() {
        let r = rules("{user}", true, true);
        for user in [
            "CORP\\alice\\bob",
            "evil\\bob@x",
            "bOb@corp@evil",
            "alice, CORP\\bob",
            "bob@x, alice",
        ] {
            assert_eq!(r.sso_id(user, &[]), Err(NoTicket::NoSsoId), "{user}");
        }
    }

    /// Only ASCII letters fold: by Unicode rules the Kelvin sign (U+212A)
    /// lowercases to `k`, so `\u{212A}aren` would become Karen.
    #[test]
    fn lowercase_folds_ascii_letters_only() {
        let dir = std::env::temp_dir().join(format!("rescue-sso-fold-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("map.csv");
        std::fs::write(&path, "karen,karen-sso\n").expect("write");
        let map = MapFile::load(&path, false, true).expect("map");
        let r = Rules::new(None, false, true, Some(map), None);
        assert_eq!(
            r.sso_id("KAREN", &[]).map(|s| s.to_string()),
            Ok("karen-sso".to_owned())
        );
        assert_eq!(r.sso_id("\u{212A}aren", &[]), Err(NoTicket::NoSsoId));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn groups_gate_the_ticket() {
        let r = Rules::new(
            Some(Template::user()),
            false,
            false,
            None,
            Some(vec!["techs".to_owned()]),
        );
        assert!(
            r.sso_id("alice", &["staff".to_owned(), "techs".to_owned()])
                .is_ok()
        );
        assert_eq!(
            r.sso_id("alice", &["staff".to_owned()]),
            Err(NoTicket::NotInGroup)
        );
        assert_eq!(r.sso_id("alice", &[]), Err(NoTicket::NotInGroup));
    }

    #[test]
    fn the_map_wins_and_lists_who_may_launch() {
        let dir = std::env::temp_dir().join(format!("rescue-sso-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("map.csv");
        std::fs::write(&path, "# user,sso_id\nCORP\\Alice, 1001\n\nbob@corp,1002\n")
            .expect("write");
        let map = MapFile::load(&path, true, true).expect("map");
        // With a template, the map wins and the template covers the rest.
        let with_template = Rules::new(Some(Template::user()), true, true, Some(map.clone()), None);
        assert_eq!(
            with_template.sso_id("alice", &[]).map(|s| s.to_string()),
            Ok("1001".to_owned())
        );
        assert_eq!(
            with_template.sso_id("dave", &[]).map(|s| s.to_string()),
            Ok("dave".to_owned())
        );
        // Without one, the map is the list of who may launch.
        let r = Rules::new(None, true, true, Some(map), None);
        assert_eq!(
            r.sso_id("alice", &[]).map(|s| s.to_string()),
            Ok("1001".to_owned())
        );
        assert_eq!(
            r.sso_id("BOB", &[]).map(|s| s.to_string()),
            Ok("1002".to_owned())
        );
        assert_eq!(r.sso_id("carol", &[]), Err(NoTicket::NoSsoId));

        std::fs::write(&path, "carol,1003\n").expect("write");
        assert_eq!(r.reload().expect("reload"), 1);
        assert_eq!(
            r.sso_id("carol", &[]).map(|s| s.to_string()),
            Ok("1003".to_owned())
        );
        assert_eq!(r.sso_id("alice", &[]), Err(NoTicket::NoSsoId));

        std::fs::write(&path, "broken line\n").expect("write");
        assert!(r.reload().is_err());
        assert!(
            r.sso_id("carol", &[]).is_ok(),
            "a bad file keeps the old map"
        );

        for bad in ["a,1\na,2\n", ",1\n", "a,\n"] {
            std::fs::write(&path, bad).expect("write");
            assert!(MapFile::load(&path, false, false).is_err(), "{bad:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
