/**
 * TextRank over sentences: a graph whose edge weights are the cosine similarity of the sentences' TF-IDF vectors,
 * scored with weighted PageRank. Cost grows with the square of the number of sentences, so callers cap it.
 */

const DAMPING = 0.85;
const MAX_ITERATIONS = 50;
const TOLERANCE = 1e-6;

/** One score per sentence, in input order; each sentence is given as its terms (lemmas of its content words). */
export function textRank(sentences: readonly (readonly string[])[]): number[] {
  const count = sentences.length;
  if (count === 0) return [];
  if (count === 1) return [1];
  const vectors = tfIdfVectors(sentences);
  const edges = similarityEdges(vectors);
  return pageRank(edges, count);
}

interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

interface Edge {
  to: number;
  weight: number;
}

/** Unit-length TF-IDF vectors, with term ids in first-seen order so results do not depend on hashing. */
function tfIdfVectors(sentences: readonly (readonly string[])[]): SparseVector[] {
  const termIds = new Map<string, number>();
  const documentFrequency: number[] = [];
  const termCounts = sentences.map((terms) => {
    const counts = new Map<number, number>();
    for (const term of terms) {
      let id = termIds.get(term);
      if (id === undefined) {
        id = termIds.size;
        termIds.set(term, id);
        documentFrequency.push(0);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of counts.keys()) documentFrequency[id]++;
    return counts;
  });
  return termCounts.map((counts) => {
    const ids = Int32Array.from(counts.keys());
    const weights = Float64Array.from(ids, (id) => (1 + Math.log(counts.get(id) ?? 1)) * idf(documentFrequency[id], sentences.length));
    normalise(weights);
    return { ids, weights };
  });
}

function idf(documentFrequency: number, documentCount: number): number {
  return Math.log(1 + documentCount / documentFrequency);
}

function normalise(weights: Float64Array): void {
  const norm = Math.sqrt(weights.reduce((sum, weight) => sum + weight * weight, 0));
  if (norm > 0) weights.forEach((weight, index) => (weights[index] = weight / norm));
}

function similarityEdges(vectors: readonly SparseVector[]): Edge[][] {
  const edges: Edge[][] = vectors.map(() => []);
  const maxId = vectors.reduce((max, vector) => vector.ids.reduce((m, id) => Math.max(m, id), max), -1);
  const dense = new Float64Array(maxId + 1);
  for (let i = 0; i < vectors.length; i++) {
    const { ids, weights } = vectors[i];
    ids.forEach((id, k) => (dense[id] = weights[k]));
    for (let j = i + 1; j < vectors.length; j++) {
      const other = vectors[j];
      let similarity = 0;
      for (let k = 0; k < other.ids.length; k++) similarity += dense[other.ids[k]] * other.weights[k];
      if (similarity > 0) {
        edges[i].push({ to: j, weight: similarity });
        edges[j].push({ to: i, weight: similarity });
      }
    }
    ids.forEach((id) => (dense[id] = 0));
  }
  return edges;
}

function pageRank(edges: readonly Edge[][], count: number): number[] {
  const outWeight = edges.map((list) => list.reduce((sum, edge) => sum + edge.weight, 0));
  let scores = new Float64Array(count).fill(1 / count);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    // Sentences sharing no term with any other spread their score evenly, so the scores keep summing to one.
    const danglingShare = scores.reduce((sum, score, node) => (outWeight[node] === 0 ? sum + score : sum), 0) / count;
    const next = new Float64Array(count).fill((1 - DAMPING) / count + DAMPING * danglingShare);
    for (let node = 0; node < count; node++) {
      if (outWeight[node] === 0) continue;
      const share = (DAMPING * scores[node]) / outWeight[node];
      for (const edge of edges[node]) next[edge.to] += share * edge.weight;
    }
    const change = next.reduce((sum, score, node) => sum + Math.abs(score - scores[node]), 0);
    scores = next;
    if (change < TOLERANCE) break;
  }
  return Array.from(scores);
}
