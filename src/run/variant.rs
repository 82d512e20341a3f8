//! Variants: named sets of scenario overrides (and, in the library, a protocol) that an
//! experiment compares on the same simulated worlds.

use crate::error::Error;
use crate::protocol::Protocol;
use crate::report::VariantInfo;
use std::fmt;
use std::sync::Arc;

/// The name of the variant with no overrides, present in every experiment unless the user
/// lists variants of their own.
pub const BASE: &str = "base";

/// A treatment: the base scenario with some keys changed, and optionally a user protocol.
///
/// ```
/// use negcycle::run::Variant;
///
/// let tough = Variant::new("tough").set("patron.opening", "0.6");
/// let parsed = Variant::parse("tough:patron.opening=0.6")?;
/// assert_eq!(tough, parsed);
/// # Ok::<(), negcycle::Error>(())
/// ```
#[derive(Clone)]
pub struct Variant {
    name: String,
    overrides: Vec<(String, String)>,
    protocol: Option<Arc<dyn Protocol>>,
}

impl fmt::Debug for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Variant")
            .field("name", &self.name)
            .field("overrides", &self.overrides)
            .field("protocol", &self.protocol.as_ref().map(|p| p.name()))
            .finish()
    }
}

impl PartialEq for Variant {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.overrides == other.overrides
            && self.protocol.as_ref().map(|p| p.name()) == other.protocol.as_ref().map(|p| p.name())
    }
}

impl Variant {
    /// A variant with no overrides (identical to the base scenario until keys are set).
    #[must_use]
    pub fn new(name: &str) -> Variant {
        Variant {
            name: name.to_string(),
            overrides: Vec::new(),
            protocol: None,
        }
    }

    /// The base variant (no overrides).
    #[must_use]
    pub fn base() -> Variant {
        Variant::new(BASE)
    }

    /// Sets scenario key `key` (a dotted path, as `--set` takes it) to `value`.
    #[must_use]
    pub fn set(mut self, key: &str, value: &str) -> Variant {
        self.overrides.push((key.to_string(), value.to_string()));
        self
    }

    /// Negotiates with a user protocol instead of the scenario's built-in one.
    #[must_use]
    pub fn protocol(mut self, protocol: Arc<dyn Protocol>) -> Variant {
        self.protocol = Some(protocol);
        self
    }

    /// Parses `NAME` or `NAME:key=value,key=value` (the command line's `--variant`). A value
    /// cannot contain a comma.
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `variant` for an empty or malformed name or pair.
    pub fn parse(text: &str) -> Result<Variant, Error> {
        let bad = |rule: &str| Error::InvalidExperiment {
            field: "variant".into(),
            rule: rule.into(),
            got: format!("{text:?}"),
        };
        let (name, rest) = match text.split_once(':') {
            Some((n, r)) => (n, Some(r)),
            None => (text, None),
        };
        let mut v = Variant::new(name.trim());
        v.check_name()?;
        if let Some(rest) = rest {
            for pair in rest.split(',') {
                let (k, val) = pair
                    .split_once('=')
                    .ok_or_else(|| bad("expected NAME:key=value[,key=value...]"))?;
                if k.trim().is_empty() {
                    return Err(bad("a key is empty"));
                }
                v = v.set(k.trim(), val.trim());
            }
        }
        Ok(v)
    }

    /// Checks the name: 1 to 64 letters, digits, `_`, `-` or `.` (it becomes part of arm
    /// labels such as `tough/5`, so no `/`, `:`, `,` or `=`).
    ///
    /// # Errors
    /// [`Error::InvalidExperiment`] naming `variant`.
    pub fn check_name(&self) -> Result<(), Error> {
        let ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidExperiment {
                field: "variant".into(),
                rule: "a name is 1 to 64 letters, digits, '_', '-' or '.'".into(),
                got: format!("{:?}", self.name),
            })
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The overrides, in the order they are applied.
    pub fn overrides(&self) -> &[(String, String)] {
        &self.overrides
    }

    /// The user protocol, if any.
    pub fn user_protocol(&self) -> Option<&Arc<dyn Protocol>> {
        self.protocol.as_ref()
    }

    /// What the report records of this variant.
    pub fn info(&self, protocol_name: &str) -> VariantInfo {
        VariantInfo {
            name: self.name.clone(),
            overrides: self
                .overrides
                .iter()
                .map(|(k, v)| [k.clone(), v.clone()])
                .collect(),
            protocol: protocol_name.to_string(),
        }
    }
}
