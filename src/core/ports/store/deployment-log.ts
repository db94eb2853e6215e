// A deployment's log lines, numbered in order so that a follower can read on from the last one it saw.
import type { LogLine, LogStream } from '../../model.js';

export interface DeploymentLog {
  appendLog(deploymentId: string, stream: LogStream, step: string | null, text: string): Promise<LogLine>;
  readLog(deploymentId: string, afterSeq?: number, limit?: number): Promise<LogLine[]>;
}
