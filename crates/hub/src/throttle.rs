//! Login throttling that an attacker cannot turn against an account's owner.
//!
//! Failed logins are counted per key in `login_throttle`: one key per client address (every
//! login tried from it) and one per (login, client address). Past a free number of failures a
//! key is blocked for a delay that doubles with each further failure, up to
//! [`MAX_DELAY_SECONDS`]; attempts refused while blocked are not counted, so hammering does not
//! lengthen the wait. Nothing is counted per login alone: guessing `admin`'s password from one
//! address slows that address down, and the owner still logs in from their own.
//!
//! An attempt is *claimed* before its password is checked: in one transaction the keys' rows
//! are locked, checked and counted as a failure. A right password then gives the failure back
//! ([`release`]). So parallel attempts cannot all pass the check before any is recorded.
//!
//! The client address is the TCP peer's. Behind a reverse proxy it is the proxy's address for
//! every client: then the per-address limits apply to all clients together (see ARCHITECTURE.md).

use std::net::IpAddr;

use tokio_postgres::{Client, GenericClient};

use crate::Error;

/// Failures allowed per (login, client address) before the delays start.
pub const FREE_FAILURES_PER_LOGIN: i32 = 5;
/// Failures allowed per client address, all logins together, before the delays start (a
/// clinic's users may share one address).
pub const FREE_FAILURES_PER_ADDRESS: i32 = 20;
/// The first delay; each further failure doubles it.
pub const FIRST_DELAY_SECONDS: i64 = 15;
/// The longest delay.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// A key without failure for this long starts again from zero.
pub const FORGET_AFTER_MINUTES: i32 = 60;

/// The two keys of an attempt: the address's and the (login, address)'s, in lock order.
pub fn keys(login: &str, client: IpAddr) -> [String; 2] {
    let address = address_key(client);
    [
        format!("addr:{address}"),
        format!("login:{login}|{address}"),
    ]
}

/// The address as counted: an IPv6 client is counted by its /64 (one host has the whole /64).
fn address_key(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn free_failures(key: &str) -> i32 {
    if key.starts_with("addr:") {
        FREE_FAILURES_PER_ADDRESS
    } else {
        FREE_FAILURES_PER_LOGIN
    }
}

/// The delay after the `failures`-th failure of a key allowing `free` failures, in seconds.
pub fn delay_seconds(failures: i32, free: i32) -> Option<i64> {
    if failures < free {
        return None;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(0).min(20);
    Some((FIRST_DELAY_SECONDS << doublings).min(MAX_DELAY_SECONDS))
}

/// Claims an attempt for `keys`: 429 with the wait when one is blocked, else counts it as a
/// failure (given back by [`release`] when the password is right). Atomic: one transaction
/// holding the rows' locks.
pub async fn claim(client: &mut Client, keys: &[String; 2]) -> Result<(), Error> {
    let transaction = client.transaction().await?;
    transaction
        .execute(
            "INSERT INTO login_throttle (key, failures) SELECT unnest($1::text[]), 0 \
             ON CONFLICT (key) DO NOTHING",
            &[&keys.as_slice()],
        )
        .await?;
    let rows = transaction
        .query(
            "SELECT key, failures, \
                    last_failure_at < now() - make_interval(mins => $2::int), \
                    ceil(extract(epoch FROM blocked_until - now()))::bigint \
             FROM login_throttle WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE",
            &[&keys.as_slice(), &FORGET_AFTER_MINUTES],
        )
        .await?;
    let wait = rows
        .iter()
        .filter_map(|row| row.get::<_, Option<i64>>(3))
        .filter(|seconds| *seconds > 0)
        .max();
    if let Some(seconds) = wait {
        // Nothing is kept of a refused attempt, not even the row of a new login name.
        transaction.rollback().await?;
        return Err(Error::TooManyAttempts {
            retry_after_seconds: u64::try_from(seconds).unwrap_or(1),
        });
    }
    for row in &rows {
        let key: String = row.get(0);
        let stale: bool = row.get(2);
        let failures = if stale { 1 } else { row.get::<_, i32>(1) + 1 };
        let delay = delay_seconds(failures, free_failures(&key)).map(|s| s as f64);
        transaction
            .execute(
                "UPDATE login_throttle SET failures = $2, last_failure_at = now(), \
                        blocked_until = now() + make_interval(secs => $3::float8) \
                 WHERE key = $1",
                &[&key, &failures, &delay],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Gives back the failure [`claim`] counted, the password being right: the (login, address)
/// key starts again from zero, the address's loses one failure. Also forgets the keys idle for
/// [`FORGET_AFTER_MINUTES`] and no longer blocked, so the table stays small.
pub async fn release(client: &Client, keys: &[String; 2]) -> Result<(), Error> {
    client
        .execute(
            "DELETE FROM login_throttle \
             WHERE last_failure_at < now() - make_interval(mins => $1::int) \
               AND (blocked_until IS NULL OR blocked_until < now())",
            &[&FORGET_AFTER_MINUTES],
        )
        .await?;
    client
        .execute("DELETE FROM login_throttle WHERE key = $1", &[&keys[1]])
        .await?;
    client
        .execute(
            "UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1",
            &[&keys[0]],
        )
        .await?;
    Ok(())
}

/// Removes the throttling of `login` (every address) or, for `None`, of every key; returns the
/// number of keys removed. For `appligarde-hub admin clear-throttle`.
pub async fn clear(client: &impl GenericClient, login: Option<&str>) -> Result<u64, Error> {
    let removed = match login {
        Some(login) => {
            let prefix = format!("login:{}|", login.trim().to_lowercase());
            client
                .execute(
                    "DELETE FROM login_throttle WHERE starts_with(key, $1)",
                    &[&prefix],
                )
                .await?
        }
        None => client.execute("DELETE FROM login_throttle", &[]).await?,
    };
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        assert_eq!(delay_seconds(4, 5), None);
        assert_eq!(delay_seconds(5, 5), Some(15));
        assert_eq!(delay_seconds(6, 5), Some(30));
        assert_eq!(delay_seconds(10, 5), Some(480));
        assert_eq!(delay_seconds(11, 5), Some(MAX_DELAY_SECONDS));
        assert_eq!(delay_seconds(i32::MAX, 5), Some(MAX_DELAY_SECONDS));
    }

    #[test]
    fn keys_name_the_address_and_the_login_from_it() {
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(
            keys("admin", v4),
            ["addr:192.0.2.7", "login:admin|192.0.2.7"]
        );
        let v6: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        let other_host_same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert_eq!(keys("a", v6), keys("a", other_host_same_64));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(keys("admin", mapped), keys("admin", v4));
    }
}
