/**
 * Compile a Redis glob (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`) into an anchored RegExp,
 * with the same meaning `SCAN MATCH` gives it (pure).
 */
export function globPattern(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') out += '[\\s\\S]*'
    else if (c === '?') out += '[\\s\\S]'
    else if (c === '\\' && i + 1 < glob.length) out += escapeRegExp(glob[++i] as string)
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2)
      if (close < 0) {
        out += '\\['
        continue
      }
      let body = glob.slice(i + 1, close)
      const negate = body.startsWith('^')
      if (negate) body = body.slice(1)
      const cls = body.replace(/[\\\]^]/g, (ch) => `\\${ch}`)
      out += negate ? `[^${cls}]` : `[${cls}]`
      i = close
    } else out += escapeRegExp(c)
  }
  return new RegExp(`^${out}$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
