//! The simulated DNS: a zone of MX, A, AAAA and TXT records, and mail routing over it
//! (RFC 5321 §5.1), including the implicit MX and the null MX of RFC 7505.
//!
//! Lookups never touch a real resolver; each one is returned with the question and the answer
//! so the world can put both in the trace.

use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// `domain IN MX preference host`. A null MX is `preference = 0, host = "."` (RFC 7505 §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MxRecord {
    pub domain: String,
    pub preference: u16,
    pub host: String,
}

/// `name IN A address` / `name IN AAAA address`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressRecord {
    pub name: String,
    pub address: String,
}

/// `name IN TXT "text"` (SPF policies live here, RFC 7208 §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxtRecord {
    pub name: String,
    pub text: String,
}

/// The whole simulated DNS.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    #[serde(default)]
    pub mx: Vec<MxRecord>,
    #[serde(default)]
    pub a: Vec<AddressRecord>,
    #[serde(default)]
    pub aaaa: Vec<AddressRecord>,
    #[serde(default)]
    pub txt: Vec<TxtRecord>,
    /// Names whose DNS server is broken: every query answers SERVFAIL (a temporary error).
    #[serde(default)]
    pub servfail: Vec<String>,
}

/// The record type of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QType {
    Mx,
    A,
    Aaaa,
    Txt,
}

impl QType {
    pub fn as_str(self) -> &'static str {
        match self {
            QType::Mx => "MX",
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Txt => "TXT",
        }
    }
}

/// The answer to one query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// Records found, each written as its data (`"10 mx1.example.org"`, `"192.0.2.1"`).
    Records(Vec<String>),
    /// The name exists but has no records of this type (NODATA).
    NoData,
    /// The name does not exist (NXDOMAIN, RCODE 3): a permanent condition.
    NxDomain,
    /// The server failed (SERVFAIL, RCODE 2): a temporary condition.
    ServFail,
}

/// One query and its answer, as it will appear in the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    pub name: String,
    pub qtype: QType,
    pub answer: Answer,
}

fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
}

impl Zone {
    fn name_exists(&self, name: &str) -> bool {
        self.mx.iter().any(|r| same(&r.domain, name))
            || self.a.iter().any(|r| same(&r.name, name))
            || self.aaaa.iter().any(|r| same(&r.name, name))
            || self.txt.iter().any(|r| same(&r.name, name))
    }

    fn broken(&self, name: &str) -> bool {
        self.servfail.iter().any(|s| same(s, name))
    }

    fn answer(&self, name: &str, records: Vec<String>) -> Answer {
        if self.broken(name) {
            Answer::ServFail
        } else if !records.is_empty() {
            Answer::Records(records)
        } else if self.name_exists(name) {
            Answer::NoData
        } else {
            Answer::NxDomain
        }
    }

    /// Answers one query.
    pub fn query(&self, name: &str, qtype: QType) -> Lookup {
        let records: Vec<String> = match qtype {
            QType::Mx => self.mx.iter().filter(|r| same(&r.domain, name)).map(|r| format!("{} {}", r.preference, r.host)).collect(),
            QType::A => self.a.iter().filter(|r| same(&r.name, name)).map(|r| r.address.clone()).collect(),
            QType::Aaaa => self.aaaa.iter().filter(|r| same(&r.name, name)).map(|r| r.address.clone()).collect(),
            QType::Txt => self.txt.iter().filter(|r| same(&r.name, name)).map(|r| r.text.clone()).collect(),
        };
        Lookup { name: name.to_string(), qtype, answer: self.answer(name, records) }
    }

    /// The address records of a host, A first then AAAA.
    pub fn addresses(&self, host: &str, lookups: &mut Vec<Lookup>) -> Result<Vec<String>, Answer> {
        let a = self.query(host, QType::A);
        lookups.push(a.clone());
        match a.answer {
            Answer::Records(v) => Ok(v),
            Answer::ServFail => Err(Answer::ServFail),
            Answer::NxDomain => Err(Answer::NxDomain),
            Answer::NoData => {
                let aaaa = self.query(host, QType::Aaaa);
                lookups.push(aaaa.clone());
                match aaaa.answer {
                    Answer::Records(v) => Ok(v),
                    other => Err(other),
                }
            }
        }
    }
}

/// One mail exchanger to try, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchanger {
    /// MX preference; `None` for the implicit MX (§5.1).
    pub preference: Option<u16>,
    pub host: String,
    /// Addresses of the host, or why there are none.
    pub addresses: Result<Vec<String>, Answer>,
}

/// Where mail for a domain goes, per RFC 5321 §5.1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// Try these hosts in this order.
    Exchangers(Vec<Exchanger>),
    /// The domain publishes a null MX: it accepts no mail (RFC 7505 §3), 556 5.1.10.
    NullMx,
    /// The domain does not exist: a permanent failure (5.1.2).
    NoSuchDomain,
    /// The domain exists but has neither MX nor address records (5.1.2).
    NoMailHost,
    /// DNS failed temporarily: queue and retry (4.4.3).
    TempFail,
}

/// Resolves the mail route of `domain` (RFC 5321 §5.1): MX records sorted by preference with
/// ties shuffled by the scenario's seeded generator; without any MX record, the domain's own
/// address records as an implicit MX of preference 0; a null MX stops everything.
pub fn route(zone: &Zone, domain: &str, rng: &mut Rng) -> (Route, Vec<Lookup>) {
    route_from(zone, domain, rng, None)
}

/// Like [`route`], for an MTA named `own_host`: if it finds itself among the MX records it
/// discards itself and every record of equal or higher preference *before* looking up
/// addresses (RFC 5321 §5.1), so a backup MX only ever passes mail to a better one.
pub fn route_from(zone: &Zone, domain: &str, rng: &mut Rng, own_host: Option<&str>) -> (Route, Vec<Lookup>) {
    let mut lookups = Vec::new();
    let mx = zone.query(domain, QType::Mx);
    lookups.push(mx.clone());
    let route = match mx.answer {
        Answer::ServFail => Route::TempFail,
        Answer::NxDomain => Route::NoSuchDomain,
        Answer::Records(_) => {
            let mut records: Vec<&MxRecord> = zone.mx.iter().filter(|r| same(&r.domain, domain)).collect();
            // RFC 7505 §3: a single MX with an empty exchange (".") and preference 0 means
            // "this domain accepts no mail". (With other MX records beside it, the dot host
            // is merely unusable and is skipped.)
            if records.len() == 1 && records[0].host.trim() == "." {
                return (Route::NullMx, lookups);
            }
            records.retain(|r| r.host.trim() != ".");
            if let Some(own) = own_host {
                if let Some(mine) = records.iter().filter(|r| same(&r.host, own)).map(|r| r.preference).min() {
                    records.retain(|r| r.preference < mine);
                }
            }
            // §5.1: "MUST" try in order of preference; equal preferences SHOULD be randomized
            // to spread the load.
            records.sort_by_key(|r| r.preference);
            let mut ordered: Vec<&MxRecord> = Vec::with_capacity(records.len());
            let mut i = 0;
            while i < records.len() {
                let mut j = i;
                while j < records.len() && records[j].preference == records[i].preference {
                    j += 1;
                }
                let mut group: Vec<&MxRecord> = records[i..j].to_vec();
                rng.shuffle(&mut group);
                ordered.extend(group);
                i = j;
            }
            let exchangers = ordered
                .into_iter()
                .map(|r| Exchanger {
                    preference: Some(r.preference),
                    host: r.host.trim_end_matches('.').to_string(),
                    addresses: zone.addresses(&r.host, &mut lookups),
                })
                .collect();
            Route::Exchangers(exchangers)
        }
        Answer::NoData => {
            // §5.1: "If an empty list of MXs is returned, the address is treated as if it was
            // associated with an implicit MX RR, with a preference of 0, pointing to that host."
            match zone.addresses(domain, &mut lookups) {
                Ok(addresses) => {
                    Route::Exchangers(vec![Exchanger { preference: None, host: domain.to_string(), addresses: Ok(addresses) }])
                }
                Err(Answer::ServFail) => Route::TempFail,
                Err(_) => Route::NoMailHost,
            }
        }
    };
    (route, lookups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        Zone {
            mx: vec![
                MxRecord { domain: "example.org".into(), preference: 20, host: "backup.example.org".into() },
                MxRecord { domain: "example.org".into(), preference: 10, host: "mx1.example.org".into() },
                MxRecord { domain: "nomail.example".into(), preference: 0, host: ".".into() },
            ],
            a: vec![
                AddressRecord { name: "mx1.example.org".into(), address: "198.51.100.25".into() },
                AddressRecord { name: "backup.example.org".into(), address: "198.51.100.26".into() },
                AddressRecord { name: "plain.example".into(), address: "203.0.113.5".into() },
            ],
            aaaa: vec![],
            txt: vec![TxtRecord { name: "txtonly.example".into(), text: "v=spf1 -all".into() }],
            servfail: vec!["broken.example".into()],
        }
    }

    fn hosts(route: &Route) -> Vec<String> {
        match route {
            Route::Exchangers(e) => e.iter().map(|x| x.host.clone()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn mx_sorted_by_preference() {
        let (r, lookups) = route(&zone(), "EXAMPLE.ORG", &mut Rng::new(1));
        assert_eq!(hosts(&r), ["mx1.example.org", "backup.example.org"]);
        assert_eq!(lookups.len(), 3, "MX query, then A of each exchanger");
    }

    #[test]
    fn an_mx_that_finds_itself_keeps_only_better_ones() {
        let (r, lookups) = route_from(&zone(), "example.org", &mut Rng::new(1), Some("backup.example.org"));
        assert_eq!(hosts(&r), ["mx1.example.org"]);
        assert!(!lookups.iter().any(|l| l.name == "backup.example.org"), "its own address is not even looked up");
        let (r, _) = route_from(&zone(), "example.org", &mut Rng::new(1), Some("mx1.example.org"));
        assert_eq!(hosts(&r), Vec::<String>::new(), "the best MX has nobody better to pass to");
    }

    #[test]
    fn implicit_mx_uses_the_domain_address() {
        let (r, _) = route(&zone(), "plain.example", &mut Rng::new(1));
        assert_eq!(hosts(&r), ["plain.example"]);
        let Route::Exchangers(e) = r else { panic!() };
        assert_eq!(e[0].preference, None);
    }

    #[test]
    fn null_mx_nxdomain_servfail_nodata() {
        let z = zone();
        assert_eq!(route(&z, "nomail.example", &mut Rng::new(1)).0, Route::NullMx);
        assert_eq!(route(&z, "nowhere.example", &mut Rng::new(1)).0, Route::NoSuchDomain);
        assert_eq!(route(&z, "broken.example", &mut Rng::new(1)).0, Route::TempFail);
        assert_eq!(route(&z, "txtonly.example", &mut Rng::new(1)).0, Route::NoMailHost);
    }

    #[test]
    fn equal_preferences_are_shuffled_by_seed_only() {
        let mut z = zone();
        for i in 0..4 {
            z.mx.push(MxRecord { domain: "tie.example".into(), preference: 5, host: format!("m{i}.tie.example") });
        }
        let a = hosts(&route(&z, "tie.example", &mut Rng::new(3)).0);
        let b = hosts(&route(&z, "tie.example", &mut Rng::new(3)).0);
        assert_eq!(a, b);
        let differs = (0..20).any(|s| hosts(&route(&z, "tie.example", &mut Rng::new(s)).0) != a);
        assert!(differs, "ties must actually be shuffled");
    }
}
