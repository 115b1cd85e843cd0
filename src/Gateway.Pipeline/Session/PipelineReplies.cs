using Gateway.Abstractions;

namespace Gateway.Pipeline.Session;

/// <summary>Replies the pipeline gives; texts are generic, the reason goes to the log.</summary>
public static class PipelineReplies
{
    /// <summary>RFC 5321 has no dedicated relay code; 554 5.7.1 is what Postfix and others answer (RFC 3463 5.7.1: delivery not authorized).</summary>
    public static SmtpReply RelayDenied { get; } = new(554, "5.7.1", "Relay access denied");
}
