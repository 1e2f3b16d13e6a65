//! Directed graphs on the nodes `0..n`: the knots (strongly connected components with a cycle) and one
//! shortest cycle through a node, so that a report can show a path a developer can follow.

use std::collections::VecDeque;

/// The strongly connected components that contain a cycle: two nodes or more, or one node with an edge
/// to itself. Each component is sorted; components come in the order of their smallest node.
pub fn knots(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut next = vec![Vec::new(); n];
    for &(from, to) in edges {
        next[from].push(to);
    }
    let mut tarjan = Tarjan {
        next: &next,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for v in 0..n {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    let mut knots: Vec<Vec<usize>> = tarjan
        .components
        .into_iter()
        .filter(|c| c.len() > 1 || edges.contains(&(c[0], c[0])))
        .map(|mut c| {
            c.sort_unstable();
            c
        })
        .collect();
    knots.sort();
    knots
}

/// Tarjan's algorithm (recursive: the graphs here are a few dozen modules or crates).
struct Tarjan<'a> {
    next: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    counter: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.counter);
        self.low[v] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for &w in self.next[v].iter() {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// A shortest cycle through `start` that stays inside `within`: `[start, a, b]` for
/// `start -> a -> b -> start`. `None` when there is none.
pub fn shortest_cycle(
    start: usize,
    within: &[usize],
    edges: &[(usize, usize)],
) -> Option<Vec<usize>> {
    let mut came_from: Vec<(usize, usize)> = Vec::new(); // (node, predecessor)
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &(from, to) in edges {
            if from != v || !within.contains(&to) {
                continue;
            }
            if to == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = came_from.iter().find(|(n, _)| *n == at)?.1;
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            if !came_from.iter().any(|(n, _)| *n == to) {
                came_from.push((to, v));
                queue.push_back(to);
            }
        }
    }
    None
}
