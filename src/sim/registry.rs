//! The node registry: nodes register (the initial cluster, then joins) and leave (failures),
//! as with a service-discovery catalogue; the strategies are offered the nodes that are up.
//!
//! It also answers "could this task ever run on a node that is up?" from the distinct node
//! shapes (capacity rows) that are up, so that a task too large for every node does not block
//! the queue forever: it is set aside until a node joins.

use crate::state::{State, check_fit};
use ndarray::ArrayView1;
use std::collections::HashMap;

/// A distinct capacity row and how many nodes of it are up.
#[derive(Debug, Clone)]
struct Shape {
    capacity: Vec<f64>,
    up: usize,
}

/// The nodes that registered, with their names, join and leave times.
#[derive(Debug, Clone)]
pub struct NodeRegistry {
    names: Vec<String>,
    joined_at: Vec<f64>,
    left_at: Vec<Option<f64>>,
    shapes: Vec<Shape>,
    shape_of: Vec<usize>,
    by_bits: HashMap<Vec<u64>, usize>,
    up_capacity: Vec<f64>,
    version: u32,
}

impl NodeRegistry {
    /// The registry of a state's initial nodes, registered at time 0 under the cluster's names.
    pub fn new(state: &State<'_>) -> Self {
        let problem = state.problem();
        let mut registry = Self {
            names: Vec::with_capacity(state.nodes()),
            joined_at: Vec::new(),
            left_at: Vec::new(),
            shapes: Vec::new(),
            shape_of: Vec::new(),
            by_bits: HashMap::new(),
            up_capacity: vec![0.0; problem.resources().len()],
            version: 0,
        };
        for node in 0..state.nodes() {
            registry.enter(problem.cluster().node_name(node), state.capacity(node), 0.0);
            if !state.is_alive(node) {
                registry.depart(node, 0.0);
            }
        }
        registry
    }

    fn enter(&mut self, name: String, capacity: ArrayView1<'_, f64>, time: f64) {
        let bits: Vec<u64> = capacity.iter().map(|c| c.to_bits()).collect();
        let shape = *self.by_bits.entry(bits).or_insert_with(|| {
            self.shapes.push(Shape {
                capacity: capacity.to_vec(),
                up: 0,
            });
            self.shapes.len() - 1
        });
        self.shapes[shape].up += 1;
        self.shape_of.push(shape);
        for (total, c) in self.up_capacity.iter_mut().zip(capacity) {
            *total += c;
        }
        self.names.push(name);
        self.joined_at.push(time);
        self.left_at.push(None);
        self.version += 1;
    }

    fn depart(&mut self, node: usize, time: f64) {
        self.shapes[self.shape_of[node]].up -= 1;
        for (total, c) in self
            .up_capacity
            .iter_mut()
            .zip(&self.shapes[self.shape_of[node]].capacity)
        {
            *total -= c;
        }
        self.left_at[node] = Some(time);
        self.version += 1;
    }

    /// Registers a joining node: it is added to the state and offered to strategies from now
    /// on. Returns its index.
    pub fn register(
        &mut self,
        state: &mut State<'_>,
        name: String,
        capacity: &[f64],
        time: f64,
    ) -> usize {
        let node = state.add_node(ArrayView1::from(capacity));
        self.enter(name, state.capacity(node), time);
        node
    }

    /// A node leaves (fails): its tasks are released from the state and returned, in index
    /// order. O(tasks).
    pub fn leave(&mut self, state: &mut State<'_>, node: usize, time: f64) -> Vec<usize> {
        let evicted = state.fail_node(node);
        self.depart(node, time);
        evicted
    }

    /// The number of nodes that ever registered.
    pub fn nodes(&self) -> usize {
        self.names.len()
    }

    /// A node's name.
    pub fn name(&self, node: usize) -> &str {
        &self.names[node]
    }

    /// When a node registered, and when it left (if it did).
    pub fn lifetime(&self, node: usize) -> (f64, Option<f64>) {
        (self.joined_at[node], self.left_at[node])
    }

    /// The total capacity of the nodes that are up, per resource.
    pub fn up_capacity(&self) -> &[f64] {
        &self.up_capacity
    }

    /// A counter that changes whenever a node registers or leaves.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether `task` fits some node that is up and admits it, were that node empty.
    /// O(shapes x resources), or O(allowed nodes) for a task restricted to some nodes.
    pub fn could_fit(&self, state: &State<'_>, task: usize) -> bool {
        let problem = state.problem();
        let demand = state.demand(task);
        let fits_empty = |node: usize| {
            let capacity = state.capacity(node);
            state.is_alive(node) && check_fit(demand, capacity, capacity).is_ok()
        };
        match problem.allowed_nodes(task) {
            Some(allowed) => {
                let joined = problem.nodes()..state.nodes();
                allowed.iter().copied().chain(joined).any(fits_empty)
            }
            None => self.shapes.iter().any(|s| {
                let capacity = ArrayView1::from(&s.capacity[..]);
                s.up > 0 && check_fit(demand, capacity, capacity).is_ok()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn nodes_register_and_leave() {
        let p = problem(
            array![[4.0, 4.0], [4.0, 4.0]],
            array![[6.0, 1.0], [1.0, 1.0]],
        );
        let mut state = State::new(&p);
        let mut registry = NodeRegistry::new(&state);
        assert_eq!(registry.up_capacity(), &[8.0, 8.0]);
        assert!(!registry.could_fit(&state, 0));
        state.place(1, 1).unwrap();
        let node = registry.register(&mut state, "big".into(), &[8.0, 8.0], 5.0);
        assert_eq!((node, registry.name(node)), (2, "big"));
        assert!(registry.could_fit(&state, 0));
        assert_eq!(registry.leave(&mut state, 1, 7.0), vec![1]);
        assert_eq!(registry.leave(&mut state, 2, 8.0), Vec::<usize>::new());
        assert!(!registry.could_fit(&state, 0));
        assert_eq!(registry.up_capacity(), &[4.0, 4.0]);
        assert_eq!(registry.lifetime(2), (5.0, Some(8.0)));
        assert_eq!(registry.version(), 5);
    }
}
