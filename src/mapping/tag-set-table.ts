/**
 * Interns the distinct tag sets of a scan so eligibility is one array lookup per virtual worker.
 * Tag sets are compared as sets: order and duplicates do not matter.
 * @internal
 */
export class TagSetTable {
  private readonly ids = new Map<string, number>()
  private readonly sets: (readonly string[])[] = []

  /** Id of the tag set holding exactly these tags (added if new). */
  intern(tags: readonly string[]): number {
    const sorted = [...new Set(tags)].sort()
    const key = sorted.join('\u0000')
    const known = this.ids.get(key)
    if (known !== undefined) return known
    const id = this.sets.length
    this.sets.push(sorted)
    this.ids.set(key, id)
    return id
  }

  /** Number of distinct tag sets. */
  get size(): number {
    return this.sets.length
  }

  /** The sorted tags of tag set `id`. */
  tagsOf(id: number): readonly string[] {
    return this.sets[id] ?? []
  }

  /** For every tag set, 1 when a worker with `workerTags` qualifies (has all its tags), else 0. */
  eligibility(workerTags: ReadonlySet<string>): Uint8Array {
    const out = new Uint8Array(this.sets.length)
    this.sets.forEach((set, id) => {
      out[id] = set.every((tag) => workerTags.has(tag)) ? 1 : 0
    })
    return out
  }
}
