namespace Gateway.Queue.Notices;

/// <summary>
/// Builds delivery status notifications. Returns null when no notice may be sent: the sender is the null reverse
/// path or the message is itself a notice (RFC 3461 6.2: no notice about a notice, so bounces cannot loop), or no
/// reported recipient asked for this kind (RFC 3461 4.1 NOTIFY).
/// </summary>
public interface INoticeFactory
{
    ValueTask<NoticeMessage?> CreateAsync(NoticeRequest request, CancellationToken cancellationToken);
}
