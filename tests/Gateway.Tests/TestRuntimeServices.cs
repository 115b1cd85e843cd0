using Gateway.Dns;
using Gateway.Host.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>Shared services for building runtimes in tests: in-memory DNS (nothing leaves the machine), the shipped suffix list.</summary>
internal static class TestRuntimeServices
{
    public static RuntimeServices Create() =>
        new(TimeProvider.System, new InMemoryDnsResolver(), new PublicSuffixSource(), NullLoggerFactory.Instance);
}
