//! redis.conf and sentinel.conf: tokenizer, directive table, value grammar and file-level rules.
//!
//! STUB: lands with issue #4.
