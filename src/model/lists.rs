//! Many short lists in one array. A vector per list costs an allocation, and as many frees,
//! per list; a large profile has hundreds of thousands (its samples' locations, its stacks'
//! frame keys).

/// Lists of `T` appended one after the other: items go into the open list, `close` ends it.
#[derive(Debug, Clone)]
pub struct Lists<T> {
    items: Vec<T>,
    /// Where each closed list ends in `items`.
    ends: Vec<usize>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            items: Vec::new(),
            ends: Vec::new(),
        }
    }
}

impl<T> Lists<T> {
    pub fn with_capacity(lists: usize) -> Self {
        Lists {
            items: Vec::new(),
            ends: Vec::with_capacity(lists),
        }
    }

    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
    }

    /// Ends the open list (which may be empty).
    pub fn close(&mut self) {
        self.ends.push(self.items.len());
    }

    /// Closed lists.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &[T]> {
        (0..self.len()).map(|i| &self[i])
    }
}

impl<T> std::ops::Index<usize> for Lists<T> {
    type Output = [T];

    fn index(&self, list: usize) -> &[T] {
        let start = if list == 0 { 0 } else { self.ends[list - 1] };
        &self.items[start..self.ends[list]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_their_items_apart_empty_ones_too() {
        let mut lists = Lists::default();
        lists.extend([1, 2]);
        lists.close();
        lists.close();
        lists.push(3);
        lists.close();
        assert_eq!(lists.len(), 3);
        assert_eq!(lists.iter().collect::<Vec<_>>(), [&[1, 2][..], &[], &[3]]);
    }
}
