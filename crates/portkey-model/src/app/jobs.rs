//! Background jobs: a command the app's image runs on a fixed interval, beside the app.

use super::App;
use crate::quantity::{Cpu, Memory};

/// A command run every `every_seconds` by a second container of the app's pod (a sidecar
/// loop), with the app's image, environment and volume mounts, as its own user.
///
/// A sidecar rather than a `batch/v1` CronJob: the job mounts the app's ReadWriteOnce
/// claims, which a CronJob's pod could only mount on the node the app's pod holds them on
/// (pod affinity), and then not at all while the app's pod is being recreated or has moved
/// away. In the pod, the job shares the mounts and the node, starts and stops with the app,
/// and needs no new kind, schema or health rule. This is the pattern of the Nextcloud image
/// itself (`cron.sh`, a loop as a second process) and of the Nextcloud Helm chart's
/// `cronjob` sidecar.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct BackgroundJob {
    /// Container name (≤ 63 characters, a DNS label).
    pub name: String,
    /// Seconds between the end of one run and the start of the next.
    pub every_seconds: u32,
    /// The command (no shell): run, then sleep, forever.
    pub command: Vec<String>,
    /// UID and GID the job runs as (`None`: the app's).
    pub run_as: Option<(i64, i64)>,
    /// CPU request.
    pub cpu_request: Cpu,
    /// Memory request.
    pub memory_request: Memory,
    /// Memory limit.
    pub memory_limit: Memory,
}

/// The file the job's loop touches before each run; its probes check its age.
pub const HEARTBEAT: &str = "/tmp/background-job-heartbeat";

impl BackgroundJob {
    /// `command` every `every_seconds`, as the app's user, with 10m CPU and 128Mi of
    /// memory requested and a 512Mi limit.
    pub fn every(name: &str, every_seconds: u32, command: &[&str]) -> Self {
        Self {
            name: name.into(),
            every_seconds,
            command: command.iter().map(|s| (*s).to_string()).collect(),
            run_as: None,
            cpu_request: Cpu::m(10),
            memory_request: Memory::mi(128),
            memory_limit: Memory::mi(512),
        }
    }
    /// Runs the job as this UID and GID (container `runAsUser`/`runAsGroup`, non-root),
    /// for an app whose main container starts as root and drops to another user.
    pub fn run_as(mut self, uid: i64, gid: i64) -> Self {
        self.run_as = Some((uid, gid));
        self
    }
    /// The job's memory limit.
    pub fn memory_limit(mut self, limit: Memory) -> Self {
        self.memory_limit = limit;
        self
    }
    /// The shell loop the container runs: touch [`HEARTBEAT`], run the command, sleep.
    /// A failed run is logged and retried at the next interval.
    pub fn script(&self) -> String {
        let command = self
            .command
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "while true; do touch {HEARTBEAT}; {command} || echo \"{name}: exit $?\"; sleep {every}; done",
            name = self.name,
            every = self.every_seconds,
        )
    }
    /// The liveness and readiness check: the heartbeat is younger than three intervals
    /// plus an hour for a long run, so a hung command restarts the container.
    pub fn probe_command(&self) -> Vec<String> {
        let minutes = (u64::from(self.every_seconds) * 3).div_ceil(60) + 60;
        vec![
            "sh".into(),
            "-c".into(),
            format!("test -n \"$(find {HEARTBEAT} -mmin -{minutes})\""),
        ]
    }
}

impl App {
    /// Runs `job` beside the app: a second container of its pod with the app's image,
    /// environment and volume mounts, looping over the job's command (see
    /// [`BackgroundJob`] for why a sidecar and not a CronJob).
    pub fn background_job(mut self, job: BackgroundJob) -> Self {
        self.background_jobs.push(job);
        self
    }
}
