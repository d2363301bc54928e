//! `--connect-to HOST1:PORT1:HOST2:PORT2`, as curl reads it: requests for
//! HOST1:PORT1 go to HOST2:PORT2 instead; an empty HOST1 or PORT1 matches
//! any, an empty HOST2 or PORT2 keeps the original. IPv6 in brackets.

/// One `--connect-to` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectTo {
    from_host: Option<String>,
    from_port: Option<u16>,
    to_host: Option<String>,
    to_port: Option<u16>,
}

impl ConnectTo {
    /// Parses `HOST1:PORT1:HOST2:PORT2`.
    ///
    /// # Errors
    ///
    /// Not four fields, or a port that is not a number.
    pub fn parse(s: &str) -> Result<ConnectTo, String> {
        // Split on `:` outside brackets.
        let mut fields: Vec<String> = vec![String::new()];
        let mut in_brackets = false;
        for c in s.chars() {
            match c {
                '[' if !in_brackets => in_brackets = true,
                ']' if in_brackets => in_brackets = false,
                ':' if !in_brackets => fields.push(String::new()),
                c => fields.last_mut().map(|f| f.push(c)).unwrap_or_default(),
            }
        }
        if fields.len() != 4 || in_brackets {
            return Err(format!("--connect-to `{s}`: write HOST1:PORT1:HOST2:PORT2"));
        }
        let port = |f: &str| -> Result<Option<u16>, String> {
            if f.is_empty() {
                Ok(None)
            } else {
                f.parse().map(Some).map_err(|_| format!("--connect-to `{s}`: `{f}` is not a port"))
            }
        };
        let host = |f: &str| if f.is_empty() { None } else { Some(f.to_ascii_lowercase()) };
        Ok(ConnectTo {
            from_host: host(&fields[0]),
            from_port: port(&fields[1])?,
            to_host: host(&fields[2]),
            to_port: port(&fields[3])?,
        })
    }

    /// Where to connect for `host:port`, if this rule applies.
    pub fn apply(&self, host: &str, port: u16) -> Option<(String, u16)> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host_ok = self.from_host.as_deref().map_or(true, |h| h.eq_ignore_ascii_case(host));
        let port_ok = self.from_port.map_or(true, |p| p == port);
        (host_ok && port_ok)
            .then(|| (self.to_host.clone().unwrap_or_else(|| host.to_owned()), self.to_port.unwrap_or(port)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_syntax() {
        let c = ConnectTo::parse("shop.example.com:443:127.0.0.1:8443").unwrap();
        assert_eq!(c.apply("shop.example.com", 443), Some(("127.0.0.1".into(), 8443)));
        assert_eq!(c.apply("shop.example.com", 80), None);
        assert_eq!(c.apply("other.example", 443), None);
        let c = ConnectTo::parse("::[::1]:").unwrap();
        assert_eq!(c.apply("a.example", 80), Some(("::1".into(), 80)));
        let c = ConnectTo::parse("[::1]:80:localhost:").unwrap();
        assert_eq!(c.apply("[::1]", 80), Some(("localhost".into(), 80)));
        assert!(ConnectTo::parse("a:b:c:d").is_err());
        assert!(ConnectTo::parse("a:1:b").is_err());
        assert!(ConnectTo::parse("a:1:b:2:3").is_err());
    }
}
