// The HTTP Date header value (IMF-fixdate), made at most once a second.

let dateSecond = 0;
let dateText = '';

export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
