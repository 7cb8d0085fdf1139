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
        Some(PossibleValue::new(self.name()).help(self.description()))
    }
}

impl ValueEnum for Measure {
    fn value_variants<'a>() -> &'a [Self] {
        &[Measure::Flat, Measure::Cum]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.description()))
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
