//! Topic and broker configs, validated as Kafka validates them before the controller writes a
//! `ConfigRecord` (`CreateTopics` with configs, `IncrementalAlterConfigs`).
//!
//! Kafka's `ConfigDef` parses every value by the config's type and checks its validator; a
//! failure is a `ConfigException` whose message is
//! `Invalid value <v> for configuration <name>: <why>` and the request fails with
//! `INVALID_CONFIG`. Topic config names must be known (`LogConfig.validateNames`: `Unknown
//! topic config name: <name>`). Broker configs are looser, as in Kafka: a name Kafka does not
//! know is accepted (custom configs for plug-ins), a known one must parse, and a known
//! read-only one cannot change at run time (`DynamicBrokerConfig.validateConfigs`: `Cannot
//! update these configs dynamically: Set(<name>)`).
//!
//! The table is the well-known part of Kafka's (`TopicConfig`, `LogConfig`, `KafkaConfig`),
//! with each config's type and range.

/// A config's type and what `ConfigDef` accepts for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `Type.LONG` at least the given value.
    Long(i64),
    /// `Type.INT` at least the given value.
    Int(i64),
    /// `Type.DOUBLE` between 0 and 1.
    Ratio,
    /// `Type.BOOLEAN`.
    Boolean,
    /// `Type.STRING` from a fixed set (`ValidString.in`).
    OneOf(&'static [&'static str]),
    /// `Type.LIST` of values from a fixed set (`ValidList.in`).
    ListOf(&'static [&'static str]),
}

const COMPRESSION: &[&str] = &["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];
const CLEANUP: &[&str] = &["compact", "delete"];
const TIMESTAMP: &[&str] = &["CreateTime", "LogAppendTime"];

/// Topic configs Kafka knows, with their types (`TopicConfig`, `LogConfig.CONFIG`).
const TOPIC: &[(&str, Kind)] = &[
    ("cleanup.policy", Kind::ListOf(CLEANUP)),
    ("compression.type", Kind::OneOf(COMPRESSION)),
    ("delete.retention.ms", Kind::Long(0)),
    ("file.delete.delay.ms", Kind::Long(0)),
    ("flush.messages", Kind::Long(1)),
    ("flush.ms", Kind::Long(0)),
    ("index.interval.bytes", Kind::Int(0)),
    ("local.retention.bytes", Kind::Long(-2)),
    ("local.retention.ms", Kind::Long(-2)),
    ("max.compaction.lag.ms", Kind::Long(1)),
    ("max.message.bytes", Kind::Int(0)),
    ("message.timestamp.after.max.ms", Kind::Long(0)),
    ("message.timestamp.before.max.ms", Kind::Long(0)),
    ("message.timestamp.type", Kind::OneOf(TIMESTAMP)),
    ("min.cleanable.dirty.ratio", Kind::Ratio),
    ("min.compaction.lag.ms", Kind::Long(0)),
    ("min.insync.replicas", Kind::Int(1)),
    ("preallocate", Kind::Boolean),
    ("remote.storage.enable", Kind::Boolean),
    ("retention.bytes", Kind::Long(i64::MIN)),
    ("retention.ms", Kind::Long(-1)),
    ("segment.bytes", Kind::Int(14)),
    ("segment.index.bytes", Kind::Int(4)),
    ("segment.jitter.ms", Kind::Long(0)),
    ("segment.ms", Kind::Long(1)),
    ("unclean.leader.election.enable", Kind::Boolean),
];

/// Broker configs Kafka knows, with their types and whether they may change at run time
/// (the `Update Mode` of Kafka's broker config table: read-only ones only change in
/// `server.properties`).
const BROKER: &[(&str, Kind, bool)] = &[
    ("auto.create.topics.enable", Kind::Boolean, false),
    ("background.threads", Kind::Int(1), true),
    ("compression.type", Kind::OneOf(COMPRESSION), true),
    ("default.replication.factor", Kind::Int(i64::MIN), false),
    ("log.cleaner.threads", Kind::Int(0), true),
    ("log.cleanup.policy", Kind::ListOf(CLEANUP), true),
    ("log.flush.interval.messages", Kind::Long(1), true),
    ("log.flush.interval.ms", Kind::Long(i64::MIN), true),
    ("log.retention.bytes", Kind::Long(i64::MIN), true),
    ("log.retention.hours", Kind::Int(i64::MIN), false),
    ("log.retention.minutes", Kind::Int(i64::MIN), false),
    ("log.retention.ms", Kind::Long(i64::MIN), true),
    ("log.roll.ms", Kind::Long(i64::MIN), true),
    ("log.segment.bytes", Kind::Int(14), true),
    ("message.max.bytes", Kind::Int(0), true),
    ("min.insync.replicas", Kind::Int(1), true),
    ("num.io.threads", Kind::Int(1), true),
    ("num.network.threads", Kind::Int(1), true),
    ("num.partitions", Kind::Int(1), false),
    ("num.recovery.threads.per.data.dir", Kind::Int(1), true),
    ("unclean.leader.election.enable", Kind::Boolean, true),
];

/// `Invalid value <v> for configuration <name>: <why>` with Kafka's `INVALID_CONFIG` code.
fn invalid(name: &str, value: &str, why: &str) -> String {
    format!("INVALID_CONFIG: Invalid value {value} for configuration {name}: {why}")
}

/// Parses `value` as `ConfigDef.parseType` and checks the validator.
fn check_value(name: &str, kind: Kind, value: &str) -> Result<(), String> {
    let v = value.trim();
    match kind {
        Kind::Long(min) | Kind::Int(min) => {
            let (parsed, type_name) = match kind {
                Kind::Long(_) => (v.parse::<i64>().ok(), "LONG"),
                _ => (v.parse::<i32>().ok().map(i64::from), "INT"),
            };
            let n = parsed.ok_or_else(|| {
                invalid(name, value, &format!("Not a number of type {type_name}"))
            })?;
            if n < min {
                return Err(invalid(
                    name,
                    value,
                    &format!("Value must be at least {min}"),
                ));
            }
        }
        Kind::Ratio => {
            // Read exactly (no float parser in the bundle), with the sign Java's
            // `Double.parseDouble` accepts.
            let (negative, digits) = match v.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, v.strip_prefix('+').unwrap_or(v)),
            };
            let n = crate::decimal::parse_scaled(digits, 9)
                .ok_or_else(|| invalid(name, value, "Not a number of type DOUBLE"))?;
            if negative && !(n.units == 0 && n.exact()) {
                return Err(invalid(name, value, "Value must be at least 0.0"));
            }
            const ONE: u64 = 1_000_000_000;
            if n.units > ONE || (n.units == ONE && !n.exact()) {
                return Err(invalid(name, value, "Value must be no more than 1.0"));
            }
        }
        Kind::Boolean => {
            if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                return Err(invalid(
                    name,
                    value,
                    "Expected value to be either true or false",
                ));
            }
        }
        Kind::OneOf(allowed) => {
            if !allowed.contains(&v) {
                return Err(invalid(
                    name,
                    value,
                    &format!("String must be one of: {}", allowed.join(", ")),
                ));
            }
        }
        Kind::ListOf(allowed) => {
            for item in v.split(',').map(str::trim) {
                if !allowed.contains(&item) {
                    return Err(invalid(
                        name,
                        item,
                        &format!("String must be one of: {}", allowed.join(", ")),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Validates one topic config as the controller does before writing it (`value: None`
/// deletes the key: only the name is checked).
pub fn validate_topic_config(name: &str, value: Option<&str>) -> Result<(), String> {
    let kind = TOPIC
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
        .ok_or_else(|| format!("INVALID_CONFIG: Unknown topic config name: {name}"))?;
    match value {
        Some(v) => check_value(name, kind, v),
        None => Ok(()),
    }
}

/// Validates one broker config change (`IncrementalAlterConfigs` on `broker` or
/// `broker:<id>`): a known read-only config is refused, a known one must parse, an unknown
/// one is accepted as Kafka accepts custom configs.
pub fn validate_broker_config(name: &str, value: Option<&str>) -> Result<(), String> {
    let Some((_, kind, dynamic)) = BROKER.iter().find(|(n, _, _)| *n == name) else {
        return Ok(());
    };
    if !dynamic {
        return Err(format!(
            "INVALID_CONFIG: Cannot update these configs dynamically: Set({name})"
        ));
    }
    match value {
        Some(v) => check_value(name, *kind, v),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_configs_are_checked_as_kafka_checks_them() {
        assert!(validate_topic_config("retention.ms", Some("604800000")).is_ok());
        assert!(validate_topic_config("retention.ms", Some("-1")).is_ok());
        assert!(validate_topic_config("cleanup.policy", Some("compact,delete")).is_ok());
        assert!(validate_topic_config("retention.ms", None).is_ok());
        assert_eq!(
            validate_topic_config("retention.mss", Some("1")).unwrap_err(),
            "INVALID_CONFIG: Unknown topic config name: retention.mss"
        );
        assert_eq!(
            validate_topic_config("retention.ms", Some("abc")).unwrap_err(),
            "INVALID_CONFIG: Invalid value abc for configuration retention.ms: Not a number of type LONG"
        );
        assert_eq!(
            validate_topic_config("min.insync.replicas", Some("0")).unwrap_err(),
            "INVALID_CONFIG: Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"
        );
        assert_eq!(
            validate_topic_config("segment.bytes", Some("9999999999")).unwrap_err(),
            "INVALID_CONFIG: Invalid value 9999999999 for configuration segment.bytes: Not a number of type INT"
        );
        assert!(validate_topic_config("cleanup.policy", Some("forever"))
            .unwrap_err()
            .ends_with("String must be one of: compact, delete"));
        assert!(validate_topic_config("compression.type", Some("brotli")).is_err());
        assert!(validate_topic_config("preallocate", Some("yes")).is_err());
        assert!(validate_topic_config("min.cleanable.dirty.ratio", Some("1.5")).is_err());
    }

    #[test]
    fn ratios_are_read_exactly_with_javas_sign() {
        let why = |v: &str| validate_topic_config("min.cleanable.dirty.ratio", Some(v)).err();
        for ok in [
            "0", "0.5", "1", "1.0", "+0.5", "-0", "-0.0", "5e-1", ".25", "1e0",
        ] {
            assert_eq!(why(ok), None, "{ok}");
        }
        for (bad, message) in [
            ("1.0000000001", "Value must be no more than 1.0"),
            ("2", "Value must be no more than 1.0"),
            ("-0.1", "Value must be at least 0.0"),
            ("-0.0000000001", "Value must be at least 0.0"),
            ("half", "Not a number of type DOUBLE"),
            ("", "Not a number of type DOUBLE"),
            ("NaN", "Not a number of type DOUBLE"),
        ] {
            assert!(
                why(bad).is_some_and(|w| w.ends_with(message)),
                "{bad}: {:?}",
                why(bad)
            );
        }
    }

    #[test]
    fn broker_configs_are_checked_as_kafka_checks_them() {
        assert!(validate_broker_config("log.retention.ms", Some("1000")).is_ok());
        assert!(validate_broker_config("log.retention.ms", Some("soon"))
            .unwrap_err()
            .contains("Not a number of type LONG"));
        assert_eq!(
            validate_broker_config("num.partitions", Some("6")).unwrap_err(),
            "INVALID_CONFIG: Cannot update these configs dynamically: Set(num.partitions)"
        );
        // Kafka accepts broker configs it does not know (custom configs of plug-ins).
        assert!(validate_broker_config("my.plugin.setting", Some("x")).is_ok());
    }
}
