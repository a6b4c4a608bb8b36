//! Documentation generated from the command line itself, so it never drifts from `--help`:
//! shell completion scripts (clap_complete) and roff man pages (clap_mangen).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub(crate) const COMPLETIONS_HELP: &str = "\
Examples:
  frontfill completions bash > ~/.local/share/bash-completion/completions/frontfill
  frontfill completions zsh > ~/.zfunc/_frontfill        (with fpath+=~/.zfunc in .zshrc)
  frontfill completions fish > ~/.config/fish/completions/frontfill.fish";

/// `frontfill completions SHELL`: the script on stdout.
pub(crate) fn completions(args: &CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "frontfill", &mut out);
    finish(std::io::stdout().lock().write_all(&out))
}

/// `frontfill man`: the main page on stdout, or every page into `--out`.
pub(crate) fn man(args: &ManArgs) -> ExitCode {
    let command = Cli::command();
    match &args.out {
        None => {
            let mut out = Vec::new();
            let rendered = clap_mangen::Man::new(command).render(&mut out);
            finish(rendered.and_then(|()| std::io::stdout().lock().write_all(&out)))
        }
        Some(dir) => match write_pages(command, dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                crate::print_error(&format!(
                    "failed to write the man pages into {}: {err}",
                    dir.display()
                ));
                ExitCode::from(2)
            }
        },
    }
}

fn write_pages(command: clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(command, dir)
}

fn finish(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            crate::print_error(&err.to_string());
            ExitCode::from(2)
        }
    }
}
