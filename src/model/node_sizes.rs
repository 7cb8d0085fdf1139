//! One size per node of a heap graph, in 32 bits with the few of 4 GiB and more kept aside: a
//! snapshot's millions of objects need half the memory that 64-bit sizes would.

use std::collections::BTreeMap;

/// Stands in the 32-bit column for a size kept in `large`.
const LARGE: u32 = u32::MAX;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeSizes {
    small: Vec<u32>,
    large: BTreeMap<u32, u64>,
}

impl NodeSizes {
    pub fn len(&self) -> usize {
        self.small.len()
    }

    pub fn is_empty(&self) -> bool {
        self.small.is_empty()
    }

    pub fn reserve(&mut self, additional: usize) {
        self.small.reserve(additional);
    }

    pub fn get(&self, node: usize) -> u64 {
        match self.small[node] {
            LARGE => self
                .large
                .get(&(node as u32))
                .copied()
                .unwrap_or(LARGE.into()),
            size => size.into(),
        }
    }

    pub fn set(&mut self, node: usize, size: u64) {
        if self.small[node] == LARGE {
            self.large.remove(&(node as u32));
        }
        self.small[node] = self.column_value(node, size);
    }

    /// Adds `amount` to `node`'s size.
    pub fn add(&mut self, node: usize, amount: u64) {
        let small = u64::from(self.small[node]) + amount;
        if small < u64::from(LARGE) {
            self.small[node] = small as u32;
        } else {
            self.set(node, self.get(node) + amount);
        }
    }

    pub fn push(&mut self, size: u64) {
        let value = self.column_value(self.small.len(), size);
        self.small.push(value);
    }

    /// Appends the sizes of `more`, after these.
    pub fn append(&mut self, more: &NodeSizes) {
        let before = self.small.len() as u32;
        self.small.extend_from_slice(&more.small);
        self.large.extend(
            more.large
                .iter()
                .map(|(&index, &size)| (before + index, size)),
        );
    }

    /// Empties the sizes, keeping the memory.
    pub fn clear(&mut self) {
        self.small.clear();
        self.large.clear();
    }

    /// Every node's size, in node order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.small.len()).map(|node| self.get(node))
    }

    /// The 32-bit value for `node`'s `size`, keeping a large size aside.
    fn column_value(&mut self, node: usize, size: u64) -> u32 {
        match u32::try_from(size) {
            Ok(small) if small != LARGE => small,
            _ => {
                self.large.insert(node as u32, size);
                LARGE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_of_4_gib_and_more_are_kept_whole() {
        let mut sizes = NodeSizes::default();
        sizes.push(10);
        sizes.push(5 << 32);
        sizes.push(u64::from(u32::MAX));
        let mut more = NodeSizes::default();
        more.push(7);
        more.push(6 << 32);
        sizes.append(&more);
        assert_eq!(
            sizes.iter().collect::<Vec<_>>(),
            [10, 5 << 32, u64::from(u32::MAX), 7, 6 << 32]
        );
        sizes.add(3, u64::from(u32::MAX));
        assert_eq!(sizes.get(3), u64::from(u32::MAX) + 7);
        sizes.add(4, 1);
        assert_eq!(sizes.get(4), (6 << 32) + 1);
        sizes.add(1, 1);
        assert_eq!(sizes.get(1), (5 << 32) + 1);
        sizes.set(1, 3);
        sizes.set(0, 1 << 40);
        assert_eq!(sizes.get(1), 3);
        assert_eq!(sizes.get(0), 1 << 40);
        assert_eq!(sizes.large.len(), 4);
    }
}
