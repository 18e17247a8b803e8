using FlowLens.Core.S3Events;

namespace FlowLens.Core.Tests.S3Events;

/// <summary>
/// The message shapes are AWS's documented examples, with flow log keys: S3's event message structure
/// (docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html), its EventBridge message
/// structure (…/userguide/ev-events.html) and SNS's notification JSON (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
/// </summary>
public class S3EventMessageTests
{
    private const string Key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/03/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20261203T1005Z_6a1b2c3d.log.gz";

    internal static string S3Message(string key, string eventName = "ObjectCreated:Put", string bucket = "flow-logs", long size = 1024, string etag = "0123456789abcdef0123456789abcdef") => $$"""
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-12-03T10:10:00.000Z",
          "eventName":"{{eventName}}","userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},
          "responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
          "s3":{"s3SchemaVersion":"1.0","configurationId":"flowlens","bucket":{"name":"{{bucket}}","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::{{bucket}}"},
          "object":{"key":"{{key}}","size":{{size}},"eTag":"{{etag}}","sequencer":"0055AED6DCD90281E5"} } }]}
        """;

    [Fact]
    public void Parse_ReadsS3sOwnMessage_DecodingTheKey()
    {
        // S3 URL-encodes the key in its own notifications: a Hive-style prefix's '=' arrives as %3D, a space as '+'.
        var content = S3EventMessage.Parse(S3Message("AWSLogs/aws-account-id%3D123456789012/flow+logs/x.log.gz"));

        Assert.Null(content.Error);
        var created = Assert.Single(content.Created);
        Assert.Equal(new S3ObjectCreated("flow-logs", "AWSLogs/aws-account-id=123456789012/flow logs/x.log.gz", 1024, "0123456789abcdef0123456789abcdef"), created);
    }

    [Fact]
    public void Parse_ReadsTheSnsEnvelope()
    {
        var inner = System.Text.Json.JsonSerializer.Serialize(S3Message(Key));
        var body = $$"""
            {"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-east-1:123456789012:flow-logs",
             "Subject":"Amazon S3 Notification","Message":{{inner}},"Timestamp":"2026-12-03T10:10:01.000Z","SignatureVersion":"1",
             "Signature":"EXAMPLE","SigningCertURL":"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
             "UnsubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}
            """;

        var content = S3EventMessage.Parse(body);

        Assert.Null(content.Error);
        Assert.Equal(Key, Assert.Single(content.Created).Key);
    }

    [Fact]
    public void Parse_ReadsEventBridgesShape_WithTheKeyAsItIs()
    {
        var body = """
            {"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3",
             "account":"123456789012","time":"2026-12-03T10:10:00Z","region":"us-east-1","resources":["arn:aws:s3:::flow-logs"],
             "detail":{"version":"0","bucket":{"name":"flow-logs"},"object":{"key":"AWSLogs/a+b%3D.log.gz","size":5,"etag":"b1946ac92492d2347c6235b4d2611184-2",
             "sequencer":"00617F08299329D189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"1.2.3.4","reason":"PutObject"}}
            """;

        var content = S3EventMessage.Parse(body);

        Assert.Equal(new S3ObjectCreated("flow-logs", "AWSLogs/a+b%3D.log.gz", 5, "b1946ac92492d2347c6235b4d2611184-2"), Assert.Single(content.Created));
    }

    [Fact]
    public void Parse_KnowsTheTestEvent_AndCountsOtherEvents()
    {
        var test = S3EventMessage.Parse("""
            {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-03T10:00:00.000Z","Bucket":"flow-logs","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}
            """);
        var removed = S3EventMessage.Parse(S3Message(Key, "ObjectRemoved:Delete"));
        var eventBridgeDeleted = S3EventMessage.Parse("""
            {"version":"0","detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"flow-logs"},"object":{"key":"k"}}}
            """);

        Assert.True(test.IsTestEvent);
        Assert.Empty(test.Created);
        Assert.Null(test.Error);
        Assert.Equal((0, 1), (removed.Created.Count, removed.OtherEvents));
        Assert.Equal((0, 1), (eventBridgeDeleted.Created.Count, eventBridgeDeleted.OtherEvents));
    }

    [Theory]
    [InlineData("not json", "the message is not JSON (line 1, byte 2)")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"hello":"world"}""", "not an S3 event notification")]
    [InlineData("""{"Type":"Notification","Message":"{oops"}""", "Message is not JSON")]
    [InlineData("""{"Type":"Notification"}""", "has no Message")]
    [InlineData("""{"Records":[{"eventSource":"aws:sqs"}]}""", "eventSource is not aws:s3")]
    [InlineData("""{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}""", "names no bucket or key")]
    [InlineData("""{"source":"aws.s3","detail-type":"Object Created","detail":{"object":{"key":"k"}}}""", "names no bucket or key")]
    public void Parse_SaysWhyAMessageIsNotAnS3Notification(string body, string reason)
    {
        var content = S3EventMessage.Parse(body);

        Assert.Empty(content.Created);
        Assert.Contains(reason, content.Error);
    }

    [Fact]
    public void Parse_RefusesAMessageLargerThanSqsAllows()
    {
        Assert.Contains("more than an S3 notification", S3EventMessage.Parse(new string(' ', S3EventMessage.MaxBytes + 1)).Error);
    }
}
