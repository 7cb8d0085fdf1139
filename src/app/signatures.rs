//! `signatures`: the catalogue of known leak signatures, listed or one by one.

use super::catalogue;
use crate::cli::{SignaturesAction, SignaturesArgs};
use crate::error::{Error, Result};
use crate::output::{self, tables, Format, Style};

pub fn run(args: &SignaturesArgs) -> Result<String> {
    let catalogue = catalogue(&args.rules)?;
    let style = Style {
        format: args.format,
        wide: false,
        full_names: false,
    };
    match &args.action {
        SignaturesAction::List => Ok(match args.format {
            Format::Json => output::json(
                &catalogue
                    .entries
                    .iter()
                    .map(|e| &e.signature)
                    .collect::<Vec<_>>(),
            ),
            Format::Md => output::tables::catalogue_markdown(&catalogue),
            Format::Table => tables::signature_list(&catalogue)
                .iter()
                .map(|t| output::render(t, &style))
                .collect(),
        }),
        SignaturesAction::Show { id } => {
            let entry = catalogue.get(id).ok_or_else(|| {
                Error::Usage(format!(
                    "no signature {id}; `leakscope signatures list` shows them all"
                ))
            })?;
            Ok(match args.format {
                Format::Json => output::json(&entry.signature),
                Format::Md => output::tables::signature_markdown(&entry.signature),
                Format::Table => tables::signature_text(&entry.signature),
            })
        }
    }
}
