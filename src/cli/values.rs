//! How the command line spells the analysis' and output's choices. The enums live in their own
//! layers, which know nothing of clap; here they learn to be parsed and listed in `--help`,
//! under the one name each already has.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::analysis::{GroupBy, Measure};
use crate::output::Format;

impl ValueEnum for GroupBy {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            GroupBy::Function,
            GroupBy::Stack,
            GroupBy::Labels,
            GroupBy::Constructor,
            GroupBy::Type,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            GroupBy::Function => {
                "One row per function: flat = samples whose leaf it is, cum = samples whose stack contains it"
            }
            GroupBy::Stack => {
                "One row per distinct stack (key: frames root first, `;`-separated, as in collapsed stacks)"
            }
            GroupBy::Labels => {
                "One row per pprof label set (`handler=/watch,tenant=acme`), like `pprof -tags`"
            }
            GroupBy::Constructor => {
                "Heap snapshots: one row per constructor (DevTools' Summary view)"
            }
            GroupBy::Type => "Heap snapshots: one row per V8 node type",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for Measure {
    fn value_variants<'a>() -> &'a [Self] {
        &[Measure::Flat, Measure::Cum]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Measure::Flat => {
                "The value at the row's own frame (the allocation site, the function a goroutine is in)"
            }
            Measure::Cum => {
                "The value of every stack that contains the row's key (goroutines \"under\" a function)"
            }
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Table, Format::Json, Format::Md]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}
