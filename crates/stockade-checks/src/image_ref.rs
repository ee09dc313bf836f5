//! Container image references: `registry:5000/team/app:1.2@sha256:…`.

/// An image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// How firmly a reference names one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pinning {
    /// No tag and no digest: Docker reads it as `:latest`.
    Untagged,
    /// The `latest` tag.
    Latest,
    /// A tag other than `latest`, no digest.
    Tagged,
    /// A digest (with or without a tag).
    Digest,
}

impl<'a> ImageRef<'a> {
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (reference, None),
        };
        // A `:` after the last `/` starts the tag; one before is a registry port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(colon) => (
                &rest[..last_slash + colon],
                Some(&rest[last_slash + colon + 1..]),
            ),
            None => (rest, None),
        };
        ImageRef { name, tag, digest }
    }

    pub fn pinning(&self) -> Pinning {
        if self.digest.is_some_and(|d| !d.is_empty()) {
            Pinning::Digest
        } else {
            match self.tag {
                None | Some("") => Pinning::Untagged,
                Some("latest") => Pinning::Latest,
                Some(_) => Pinning::Tagged,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_and_pin() {
        let r = ImageRef::parse("registry:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.name, "registry:5000/team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.pinning(), Pinning::Digest);
        assert_eq!(
            ImageRef::parse("registry:5000/app").pinning(),
            Pinning::Untagged
        );
        assert_eq!(ImageRef::parse("nginx:latest").pinning(), Pinning::Latest);
        assert_eq!(ImageRef::parse("nginx:1.27").pinning(), Pinning::Tagged);
        assert_eq!(ImageRef::parse("nginx").pinning(), Pinning::Untagged);
    }
}
