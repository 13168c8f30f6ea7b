//! What a line check finds: the problem, the argument at fault, and whether grill-lint goes
//! further than Redis. Shared by the per-directive checks ([`super::check`]) and the ACL rules
//! ([`super::acl`]), which the former calls.

/// Why Redis refuses a line (or why grill-lint does).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub message: String,
    /// The argument at fault (an index into the arguments checked), or the whole line.
    pub arg: Option<usize>,
    /// Set when Redis accepts the line and grill-lint refuses it deliberately.
    pub divergence: Option<&'static str>,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            arg: None,
            divergence: None,
            help: None,
        }
    }
    pub fn at(mut self, arg: usize) -> Problem {
        self.arg = Some(arg);
        self
    }
    pub fn diverging(mut self, id: &'static str) -> Problem {
        self.divergence = Some(id);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

pub type Check = Result<(), Problem>;
