// Starts local-aws-sqs on 127.0.0.1 and the port given: node server.mjs <port>
import { createSqsServer } from "local-aws-sqs";

const port = Number(process.argv[2]);
const server = await createSqsServer({ port, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false });
// An empty ReceiveMessage answers 200 with no body in the JSON protocol here; SQS answers {} (AWSSDK.SQS cannot read nothing).
server.prependListener("request", (req, res) => {
  if (!String(req.headers["content-type"] ?? "").includes("amz-json")) return;
  const [writeHead, write, end] = [res.writeHead.bind(res), res.write.bind(res), res.end.bind(res)];
  let written = false;
  res.writeHead = (status, ...rest) => {
    for (const headers of rest.filter((r) => typeof r === "object")) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === "content-length" && String(headers[name]) === "0") delete headers[name];
    }
    return writeHead(status, ...rest);
  };
  res.write = (chunk, ...rest) => {
    written ||= Boolean(chunk?.length);
    return write(chunk, ...rest);
  };
  res.end = (chunk, ...rest) => {
    if (!written && !chunk?.length && res.statusCode === 200) {
      if (!res.headersSent) res.removeHeader("Content-Length");
      return end("{}");
    }
    return end(chunk, ...rest);
  };
});
console.log(`sqs listening on 127.0.0.1:${port}`);
