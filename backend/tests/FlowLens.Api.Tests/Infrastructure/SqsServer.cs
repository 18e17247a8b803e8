using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// The local-aws-sqs emulator (npm, installed in backend/tests/sqs by deploy/local/test.sh; it speaks the AWS JSON
/// protocol AWSSDK.SQS uses, long polling, visibility timeouts and redrive policies) on a free loopback port; stopped
/// on dispose. Its queues live in memory.
/// </summary>
public sealed class SqsServer : IAsyncDisposable
{
    private readonly NodeServer _node;

    private SqsServer(NodeServer node, string url) => (_node, Url) = (node, url);

    public string Url { get; }

    public string Log => string.Join('\n', _node.Lines.TakeLast(40));

    public static async Task<SqsServer> StartAsync()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3Server.Key);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3Server.Key);
        var script = NodeServer.Find("sqs", "node_modules/local-aws-sqs", "server.mjs");
        var port = LoopbackPort.Free();
        return new SqsServer(await NodeServer.StartAsync("the SQS emulator", port, [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]), $"http://127.0.0.1:{port}");
    }

    public AmazonSQSClient CreateClient() => new(new BasicAWSCredentials(S3Server.Key, S3Server.Key), new AmazonSQSConfig
    {
        ServiceURL = Url,
        AuthenticationRegion = "us-east-1",
    });

    /// <summary>Makes a queue whose messages go to a dead-letter queue after <paramref name="maxReceiveCount"/> receives; returns both URLs.</summary>
    public async Task<(string Queue, string DeadLetters)> CreateQueueAsync(string name, int maxReceiveCount = 3)
    {
        using var sqs = CreateClient();
        var deadLetters = (await sqs.CreateQueueAsync(name + "-dlq")).QueueUrl;
        var arn = (await sqs.GetQueueAttributesAsync(deadLetters, ["QueueArn"])).Attributes["QueueArn"];
        var queue = (await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name,
            Attributes = new() { ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{arn}}","maxReceiveCount":"{{maxReceiveCount}}"}""" },
        })).QueueUrl;
        return (queue, deadLetters);
    }

    /// <summary>The queue's messages waiting (visible) and in flight (received, neither deleted nor back).</summary>
    public async Task<(int Visible, int InFlight)> CountAsync(string queueUrl)
    {
        using var sqs = CreateClient();
        var attributes = (await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])).Attributes;
        var all = int.Parse(attributes["ApproximateNumberOfMessages"], System.Globalization.CultureInfo.InvariantCulture);
        var inFlight = int.Parse(attributes["ApproximateNumberOfMessagesNotVisible"], System.Globalization.CultureInfo.InvariantCulture);
        // This emulator counts the messages in flight in ApproximateNumberOfMessages too (SQS counts only the visible ones).
        return (all - inFlight, inFlight);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
    }
}
