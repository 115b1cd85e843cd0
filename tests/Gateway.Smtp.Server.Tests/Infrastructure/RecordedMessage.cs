using System.Text;
using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

internal sealed record RecordedMessage(Envelope Envelope, byte[] Body)
{
    public string BodyText => Encoding.Latin1.GetString(Body);
}
