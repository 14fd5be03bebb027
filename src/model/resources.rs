//! Named resource dimensions.

use crate::error::{Error, Result};

/// The named resource dimensions of a problem (cpu, memory, gpu, ...), in column order.
///
/// Names are non-empty and unique; there is at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    names: Vec<String>,
}

impl Resources {
    /// Resources with these names, in this order.
    ///
    /// ```
    /// let r = packsched::Resources::new(["cpu", "memory"])?;
    /// assert_eq!(r.index("memory")?, 1);
    /// # Ok::<_, packsched::Error>(())
    /// ```
    pub fn new<I, S>(names: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.is_empty() {
            return Err(Error::EmptyResources);
        }
        for (index, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(Error::EmptyResourceName { index });
            }
            if names[..index].contains(name) {
                return Err(Error::DuplicateResource { name: name.clone() });
            }
        }
        Ok(Self { names })
    }

    /// The number of resources.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: a valid resource list is never empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of resource `index`. Panics if `index >= len()`.
    pub fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// All names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column of a resource name, or [`Error::UnknownResource`].
    pub fn index(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownResource {
                name: name.to_string(),
                known: self.names.join(", "),
            })
    }
}
