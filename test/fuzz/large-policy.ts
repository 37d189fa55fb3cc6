/** A valid identity policy of at most `chars` characters (and close to it), distinct for each `seed`. */
export function largePolicy(seed: number, chars: number): string {
  const statements: string[] = [];
  // '{"Version":"2012-10-17","Statement":[' + ']}' and a comma between statements.
  let length = 39;
  for (let j = 0; ; j++) {
    const next = JSON.stringify({ Sid: `S${seed}x${j}`, Effect: 'Allow', Action: [`iam:Get${j}*`], Resource: [`arn:aws:s3:::b${seed}/${j}/*`] });
    if (length + next.length + 1 > chars) break;
    statements.push(next);
    length += next.length + 1;
  }
  return `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;
}
