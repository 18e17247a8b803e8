namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Thrown by a stream that feeds a <see cref="TextFlowLogReader"/> when its own envelope is unreadable (a Firehose
/// request body that is not Firehose's JSON): the reader fails the object with this message as the reason.
/// </summary>
public sealed class UnreadableInputException(string reason) : Exception(reason);
