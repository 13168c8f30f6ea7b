//! Kubernetes semantics grill-lint needs and no crate gives with exactness: quantities.

pub mod quantity;
