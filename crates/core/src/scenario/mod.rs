//! The scenario language: one small text language for tests, lessons, exercises and the
//! command line. The full reference is `docs/scenario-language.md`.
//!
//! ```text
//! cluster kraft voters=3 brokers=3 seed=42 prevote=on latency=10ms..20ms
//! run 5s
//! run until leader within 10s
//! write 5
//! crash leader as old
//! run until leader != old within 10s
//! restart old
//! expect old is not leader and epoch >= 2
//! show status
//! ```

pub mod ast;
pub mod cluster;
pub mod condition;
pub mod history;
pub mod node_ref;
pub mod parse;
pub mod session;
pub mod share;
pub mod values;

pub use ast::{Action, Command, Line, ScenarioError, Show};
pub use condition::Condition;
pub use node_ref::NodeRef;
pub use parse::{parse_command, parse_script};
pub use session::{check_plan, run_script, run_script_with_limits, ScriptOutcome, Session};
