//! Ref updates of a push, and the ref tips whose history is already known.
//!
//! `pre-receive` reads `<old> <new> <ref>` lines, `pre-push` reads
//! `<local ref> <local oid> <remote ref> <remote oid>` lines; both become [`RefUpdate`]s. The new
//! commits of a push are those reachable from the new tips and from none of the *known* tips:
//! every existing ref on the server (refs are not updated yet during `pre-receive`), or the
//! remote-tracking refs on the client.

use anyhow::Context;
use gix::ObjectId;
use gix::objs::{FindExt, FindHeader};

use super::odb::LayeredOdb;

/// One ref a push creates, updates or deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefUpdate {
    /// The ref on the receiving side (`refs/heads/main`).
    pub(crate) refname: String,
    old: ObjectId,
    new: ObjectId,
}

impl RefUpdate {
    /// `<old> <new> <ref>` (pre-receive).
    pub(crate) fn parse_receive(line: &str) -> Result<Self, String> {
        let expected = "expected `<old-oid> <new-oid> <refname>`";
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new), Some(refname), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(expected.into());
        };
        Ok(Self { refname: refname.into(), old: oid(old)?, new: oid(new)? })
    }

    /// `<local ref> <local oid> <remote ref> <remote oid>` (pre-push); `(delete)` deletes.
    pub(crate) fn parse_push(line: &str) -> Result<Self, String> {
        let expected = "expected `<local-ref> <local-oid> <remote-ref> <remote-oid>`";
        let mut parts = line.split_whitespace();
        let (Some(_local), Some(new), Some(refname), Some(old), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(expected.into());
        };
        Ok(Self { refname: refname.into(), old: oid(old)?, new: oid(new)? })
    }

    /// An update worked out from the local refs (no stdin line said it).
    pub(super) fn implied(refname: String, old: Option<ObjectId>, new: ObjectId) -> Self {
        Self { refname, old: old.unwrap_or_else(|| ObjectId::null(new.kind())), new }
    }

    pub(crate) fn is_deletion(&self) -> bool {
        self.new.is_null()
    }

    pub(super) fn new_id(&self) -> ObjectId {
        self.new
    }

    pub(super) fn old_id(&self) -> Option<ObjectId> {
        (!self.old.is_null()).then_some(self.old)
    }
}

fn oid(hex: &str) -> Result<ObjectId, String> {
    ObjectId::from_hex(hex.as_bytes()).map_err(|_| format!("{:?} is not an object id", crate::terminal::sanitize(hex)))
}

/// What a ref's value is once annotated tags are peeled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Peeled {
    Commit(ObjectId),
    Tree(ObjectId),
    Blob(ObjectId),
}

/// Peels `id` through annotated tags; `None` when it is missing from the odb and `missing_ok`.
pub(super) fn peel(odb: &LayeredOdb, id: ObjectId, missing_ok: bool) -> anyhow::Result<Option<Peeled>> {
    let mut id = id;
    let mut buf = Vec::new();
    for _ in 0..32 {
        let header = match odb.try_header(&id).with_context(|| format!("cannot read object {id}"))? {
            Some(header) => header,
            None if missing_ok => return Ok(None),
            None => anyhow::bail!("object {id} is missing from the repository and the push"),
        };
        match header.kind {
            gix::objs::Kind::Commit => return Ok(Some(Peeled::Commit(id))),
            gix::objs::Kind::Tree => return Ok(Some(Peeled::Tree(id))),
            gix::objs::Kind::Blob => return Ok(Some(Peeled::Blob(id))),
            gix::objs::Kind::Tag => {
                id = odb.find_tag(&id, &mut buf).with_context(|| format!("cannot read tag {id}"))?.target();
            }
        }
    }
    anyhow::bail!("tag chain at {id} is too long")
}

/// Peels `id` through annotated tags; `None` when it ends at a tree or a blob (or is missing
/// from the odb and `missing_ok`).
pub(super) fn peel_to_commit(odb: &LayeredOdb, id: ObjectId, missing_ok: bool) -> anyhow::Result<Option<ObjectId>> {
    Ok(match peel(odb, id, missing_ok)? {
        Some(Peeled::Commit(id)) => Some(id),
        _ => None,
    })
}

/// Commit tips of every ref under `prefix` (all refs when `None`), peeled; refs that point at
/// trees or blobs, or at objects this repository does not have, are left out.
pub(super) fn known_tips(
    repo: &gix::Repository,
    odb: &LayeredOdb,
    prefix: Option<&str>,
) -> anyhow::Result<Vec<ObjectId>> {
    let platform = repo.references().context("cannot list refs")?;
    let iter = match prefix {
        Some(prefix) => platform.prefixed(prefix).context("cannot list refs")?,
        None => platform.all().context("cannot list refs")?,
    };
    let mut tips = Vec::new();
    for reference in iter {
        let reference = reference.map_err(|e| anyhow::anyhow!("cannot read a ref: {e}"))?;
        // Packed refs carry their peeled value; one header lookup confirms it is a commit.
        let start = match (reference.inner.peeled, &reference.inner.target) {
            (Some(peeled), _) => peeled,
            (None, gix::refs::Target::Object(id)) => *id,
            (None, gix::refs::Target::Symbolic(_)) => continue,
        };
        tips.extend(peel_to_commit(odb, start, true)?);
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const ZERO: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn receive_lines() {
        let update = RefUpdate::parse_receive(&format!("{ZERO} {A} refs/heads/main")).unwrap();
        assert_eq!(update.refname, "refs/heads/main");
        assert_eq!(update.old_id(), None);
        assert!(!update.is_deletion());
        assert!(RefUpdate::parse_receive(&format!("{A} {ZERO} refs/heads/x")).unwrap().is_deletion());
        assert!(RefUpdate::parse_receive("garbage").is_err());
        assert!(RefUpdate::parse_receive(&format!("{A} xyz refs/heads/x")).is_err());
        assert!(RefUpdate::parse_receive(&format!("{A} {A} refs/heads/x extra")).is_err());
    }

    #[test]
    fn push_lines() {
        let update = RefUpdate::parse_push(&format!("(delete) {ZERO} refs/heads/old {A}")).unwrap();
        assert!(update.is_deletion());
        assert_eq!(update.refname, "refs/heads/old");
        assert!(RefUpdate::parse_push(&format!("refs/heads/main {A} refs/heads/main")).is_err());
    }
}
