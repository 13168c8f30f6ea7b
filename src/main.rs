//! The command-line front end: argument parsing and exit codes only; the work is in the library.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use grill_lint::diag::Severity;
use grill_lint::lint::{lint, Options};
use grill_lint::report::{self, Format};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "grill-lint",
    version,
    about = "Lints Redis-on-Kubernetes Kustomize trees: builds each overlay, reads its redis.conf, checks the invariants"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Lint overlays, kustomization directories or single files (the default command)
    Check(CheckArgs),
    /// Print the rendered overlay as multi-document YAML (what `kustomize build` prints)
    ///
    /// Like `kustomize build`, this prints the built objects to stdout with their secrets in
    /// clear: Secret data, generated Secrets, env values. Do not run it where stdout is logged
    /// unless the overlay holds no real secrets. A failed build prints nothing on stdout and
    /// its findings, with secrets masked, on stderr (see docs/security.md).
    Render {
        /// A kustomization directory
        dir: PathBuf,
    },
    /// List every rule: ID, default severity, one-line summary
    Rules,
    /// Print a rule's documentation
    Explain {
        /// A rule ID such as `redis/maxmemory-headroom`
        rule: String,
    },
    /// Print a shell completion script
    Completions { shell: clap_complete::Shell },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FilesMode {
    /// Lint each file as given
    Files,
    /// Lint every overlay whose build reads one of the files
    Overlays,
}

#[derive(Args, Default)]
struct CheckArgs {
    /// Overlays, directories holding kustomizations, or single files (default: kustomize/)
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Option<Format>,
    /// Write the report to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The environment whose policy applies (default: the overlay directory name)
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// A .grill-lint.yaml (default: found by walking up from the linted path)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value = "error")]
    fail_on: Option<FailOn>,
    /// Enable only these rules or rule groups (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,
    /// Disable these rules or rule groups (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,
    /// Print findings only, no summary
    #[arg(long)]
    quiet: bool,
    /// Say on stderr which configuration file is used (and when none is)
    #[arg(long)]
    verbose: bool,
    /// Colour for the human format
    #[arg(long, value_enum, default_value = "auto")]
    color: Option<ColorChoice>,
    /// How file PATHs are linted: as files, or through the overlays that read them (pre-commit)
    #[arg(long, value_enum, default_value = "files")]
    files_mode: Option<FilesMode>,
    /// The file name standard input (the PATH `-`) stands for: its kind and the reported path
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Print the number of findings per rule instead of the findings (human format)
    #[arg(long)]
    statistics: bool,
    /// Exit 0 even when findings are at or above --fail-on (exit 2 still means an error)
    #[arg(long)]
    exit_zero: bool,
}

fn main() -> ExitCode {
    // A panic is a bug; it must still end in exit code 2 with a clear message, never in a
    // half-written report that a CI gate could read as a pass.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("grill-lint: internal error (a bug, please report it): {info}");
        std::process::exit(2);
    }));
    let cli = Cli::parse();
    if let Err(e) = grill_lint::rules::registry() {
        eprintln!("grill-lint: internal error: the bundled rule files are invalid: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        None => run_check(cli.check),
        Some(Command::Check(args)) => run_check(args),
        Some(Command::Render { dir }) => run_render(&dir),
        Some(Command::Rules) => {
            write_out(None, &grill_lint::catalogue::list_text()).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Explain { rule }) => run_explain(&rule),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "grill-lint",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("grill-lint: error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run_check(args: CheckArgs) -> Result<ExitCode, String> {
    let files_mode = args.files_mode == Some(FilesMode::Overlays);
    let paths = if args.paths.is_empty() {
        let default = PathBuf::from("kustomize");
        if !default.is_dir() {
            return Err("nothing to lint: no PATH given and no kustomize/ directory here".into());
        }
        vec![default]
    } else {
        args.paths.clone()
    };
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        let name = args.stdin_filename.clone().unwrap_or_else(|| {
            // Without a name, the content says what it is.
            if grill_lint::targets::looks_like_redis_conf(&text) {
                PathBuf::from("stdin.conf")
            } else {
                PathBuf::from("stdin.yaml")
            }
        });
        Some((name, text))
    } else {
        if args.stdin_filename.is_some() {
            return Err("--stdin-filename needs the PATH `-` (standard input)".into());
        }
        None
    };
    let opts = Options {
        env: args.env.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        config: args.config.clone(),
        files_mode_overlays: files_mode,
        stdin,
    };
    if args.verbose {
        match grill_lint::config::path_for(args.config.as_deref(), &paths) {
            Some(p) => eprintln!(
                "grill-lint: configuration: {}",
                grill_lint::report::display_path(&p)
            ),
            None => eprintln!(
                "grill-lint: configuration: none (no {} up to the repository top; bundled defaults)",
                grill_lint::config::FILE_NAME
            ),
        }
    }
    if files_mode {
        // A PATH that does not exist is exit 2 in every mode (docs/cli.md).
        if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
            return Err(format!("{}: no such file or directory", missing.display()));
        }
    }
    let progress = (!args.quiet && std::io::stderr().is_terminal()).then(Progress::start);
    let report = lint(&paths, &opts).map_err(|e| e.0);
    drop(progress);
    let report = report?;
    let color = match args.color.unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let first = match &opts.stdin {
        Some((name, _)) if paths.iter().all(|p| p.as_os_str() == "-") => name.clone(),
        _ => paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    let config = args
        .config
        .clone()
        .or_else(|| grill_lint::config::discover(&first));
    let root = report::repo_root(&first, config.as_deref());
    let text = match args.format.unwrap_or(Format::Human) {
        Format::Human if args.statistics => report::terminal::statistics(&report),
        Format::Human => report::human::render(&report, color, args.quiet),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report, &root),
        Format::Github => report::github::render(&report, &root),
    };
    write_out(args.output.as_deref(), &text)?;
    let threshold = match args.fail_on.unwrap_or(FailOn::Error) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    // An overlay that did not build was not checked: that never passes, whatever was ignored
    // (only --exit-zero, which asks for exit 0 whatever is found, says otherwise).
    let failed = !args.exit_zero
        && threshold.is_some_and(|t| {
            report.failed_builds > 0 || report.findings.iter().any(|f| f.severity >= t)
        });
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_out(path: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                // A full disk or `>/dev/full`: a CI gate must not read a lost report as a pass.
                Err(e) => Err(format!("cannot write the report to stdout: {e}")),
            }
        }
    }
}

/// `explain`: the rule's documentation, with its parameters as the configuration in force here
/// (found from the working directory) sets them.
fn run_explain(rule: &str) -> Result<ExitCode, String> {
    let sources = grill_lint::source::SourceMap::new();
    let config = match grill_lint::config::discover(std::path::Path::new(".")) {
        Some(p) => grill_lint::config::load(&p, &sources)
            .map_err(|e| format!("invalid configuration: {e}"))?,
        None => grill_lint::config::Config::default(),
    };
    let policy = grill_lint::policy::Policy::load(&config)?;
    match grill_lint::catalogue::explain(rule, &policy) {
        Some(text) => {
            // Rendered for a terminal; the markdown itself when piped or under NO_COLOR.
            let styled = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let text = if styled {
                report::terminal::markdown(&text)
            } else {
                text
            };
            write_out(None, &text).map(|()| ExitCode::SUCCESS)
        }
        None => Err(match grill_lint::suppress::did_you_mean(rule) {
            Some(id) if grill_lint::rules::get(&id).is_some() => {
                format!("unknown rule `{rule}` (did you mean `{id}`?)")
            }
            _ => format!("unknown rule `{rule}` (see `grill-lint rules`)"),
        }),
    }
}

/// `render`: the build as YAML on stdout; a failed build prints its findings and exits 1.
fn run_render(dir: &std::path::Path) -> Result<ExitCode, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    if grill_lint::targets::kustomization_file(dir).is_none() {
        return Err(format!(
            "{}: no kustomization.yaml in this directory",
            dir.display()
        ));
    }
    let sources = grill_lint::source::SourceMap::new();
    let build = grill_lint::kustomize::build(dir, &sources);
    if build.failed {
        let mut r = report::Report::of(
            sources,
            build.findings,
            vec![report::display_path(dir)],
            build.secrets,
        );
        r.sort();
        eprint!(
            "{}",
            report::human::render(&r, std::io::stderr().is_terminal(), true)
        );
        return Ok(ExitCode::from(1));
    }
    write_out(None, &build.to_yaml())?;
    Ok(ExitCode::SUCCESS)
}

/// A line on stderr (a terminal) while a run takes longer than about a second, erased when
/// the run ends so that it never mixes with the report.
struct Progress {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<bool>>,
}

impl Progress {
    fn start() -> Progress {
        use std::sync::atomic::Ordering;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let elapsed = started.elapsed();
                if elapsed.as_millis() >= 1000 && !flag.load(Ordering::Relaxed) {
                    eprint!(
                        "\rgrill-lint: building and checking… {:.0}s",
                        elapsed.as_secs_f64().floor()
                    );
                    shown = true;
                }
            }
            shown
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            if t.join().unwrap_or(false) {
                eprint!("\r\x1b[2K");
            }
        }
    }
}
