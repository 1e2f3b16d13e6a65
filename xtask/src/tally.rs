//! Counting what passed and what failed across the different test runners.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The results of `cargo xtask test`, one line per step with the time it took (the time since the
/// previous line: a step's setup, such as starting PostgreSQL, counts in the step).
#[derive(Default)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    lines: Vec<String>,
    last: Option<Instant>,
}

impl Tally {
    /// Seconds since the previous line (or since the first call), and restarts the count.
    fn lap(&mut self) -> f64 {
        let now = Instant::now();
        let seconds = self
            .last
            .map_or(0.0, |t| now.duration_since(t).as_secs_f64());
        self.last = Some(now);
        seconds
    }

    /// Starts the clock of the first step.
    pub fn start_clock(&mut self) {
        self.lap();
    }

    /// A line of the report for work that is not a test (installing the tools), with its time.
    pub fn note(&mut self, name: &str) {
        let seconds = self.lap();
        self.lines.push(format!("     {name} ({seconds:.0} s)"));
    }

    fn record(&mut self, name: &str, passed: u64, failed: u64) {
        self.passed += passed;
        self.failed += failed;
        let seconds = self.lap();
        let mark = if failed == 0 { "ok  " } else { "FAIL" };
        self.lines.push(format!(
            "{mark} {name}: {passed} passed, {failed} failed ({seconds:.0} s)"
        ));
    }

    pub fn report(&self) -> String {
        self.lines.join("\n")
    }

    /// A step that is one check: it passes when the command succeeds.
    pub fn check(&mut self, name: &str, cmd: &mut Command) -> bool {
        println!("\n==> {name}");
        let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
        self.record(name, u64::from(ok), u64::from(!ok));
        ok
    }

    /// A step that is one check run in this process: it passes when `run` returns `Ok(true)`; an error
    /// is printed and counts as a failure.
    pub fn check_in_process(
        &mut self,
        name: &str,
        run: impl FnOnce() -> anyhow::Result<bool>,
    ) -> bool {
        println!("\n==> {name}");
        let ok = run().unwrap_or_else(|e| {
            eprintln!("{name}: {e:#}");
            false
        });
        self.record(name, u64::from(ok), u64::from(!ok));
        ok
    }

    /// Runs a command, echoing its stdout, and returns (success, stdout).
    fn capture(name: &str, cmd: &mut Command) -> (bool, String) {
        println!("\n==> {name}");
        let mut child = match cmd.stdout(Stdio::piped()).spawn() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cannot start {name}: {e}");
                return (false, String::new());
            }
        };
        let mut out = String::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{line}");
                out.push_str(&line);
                out.push('\n');
            }
        }
        let ok = child.wait().map(|s| s.success()).unwrap_or(false);
        (ok, out)
    }

    /// `cargo test`: sums the `test result:` lines; a failed build counts as one failure.
    pub fn cargo_tests(&mut self, name: &str, cmd: &mut Command) {
        let (ok, out) = Self::capture(name, cmd);
        let (mut passed, mut failed, mut ignored) = (0, 0, 0);
        for line in out
            .lines()
            .filter_map(|l| l.trim().strip_prefix("test result: "))
        {
            passed += number_before(line, " passed");
            failed += number_before(line, " failed");
            ignored += number_before(line, " ignored");
        }
        // An ignored test is not a passing one: it counts as a failure to be looked at.
        failed += ignored;
        if !ok && failed == 0 {
            failed = 1;
        }
        self.record(name, passed, failed);
    }

    /// `node --test --test-reporter=tap`: reads the `# pass N`, `# fail N` and `# skipped N` lines.
    pub fn node_tests(&mut self, name: &str, cmd: &mut Command) {
        let (ok, out) = Self::capture(name, cmd);
        let count = |key: &str| -> u64 {
            out.lines()
                .filter_map(|l| l.strip_prefix(key))
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .sum()
        };
        let passed = count("# pass ");
        let mut failed =
            count("# fail ") + count("# skipped ") + count("# todo ") + count("# cancelled ");
        // A failed command with no failing test counted, or a run with no test at all, is a failure.
        if failed == 0 && (!ok || passed == 0) {
            failed += 1;
        }
        self.record(name, passed, failed);
    }

    /// vitest with its JSON reporter.
    pub fn vitest(&mut self, name: &str, ui: &Path) {
        let report = ui.join("../target/vitest.json");
        let mut cmd = Command::new("npx");
        cmd.current_dir(ui)
            .args(["vitest", "run", "--reporter=default", "--reporter=json"])
            .arg(format!("--outputFile.json={}", report.display()));
        let (ok, _) = Self::capture(name, &mut cmd);
        let json = std::fs::read_to_string(&report).unwrap_or_default();
        let passed = json_number(&json, "\"numPassedTests\":");
        let mut failed =
            json_number(&json, "\"numFailedTests\":") + json_number(&json, "\"numPendingTests\":");
        if (failed == 0 && !ok) || passed == 0 {
            failed += 1;
        }
        self.record(name, passed, failed);
    }
}

/// In "3 passed; 0 failed; 1 ignored", the number just before `suffix`.
fn number_before(text: &str, suffix: &str) -> u64 {
    text.find(suffix)
        .and_then(|end| text[..end].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn json_number(json: &str, key: &str) -> u64 {
    json.find(key)
        .map(|i| {
            json[i + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_summaries() {
        let line =
            "ok. 12 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(number_before(line, " passed"), 12);
        assert_eq!(number_before(line, " failed"), 3);
        assert_eq!(number_before(line, " ignored"), 1);
    }

    #[test]
    fn reads_vitest_json() {
        assert_eq!(
            json_number(
                r#"{"numFailedTests":0,"numPassedTests":7}"#,
                "\"numPassedTests\":"
            ),
            7
        );
    }
}
