/** Who is asking: the name of the API token, or "system" for the control plane itself. */
export interface Actor {
  name: string;
}

export const SYSTEM: Actor = { name: 'system' };
