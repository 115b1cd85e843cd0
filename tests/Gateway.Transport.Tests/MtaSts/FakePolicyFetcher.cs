using Gateway.Transport.MtaSts;

namespace Gateway.Transport.Tests.MtaSts;

/// <summary>A policy fetcher answering from a table per domain, counting calls; optionally held until released.</summary>
internal sealed class FakePolicyFetcher : IMtaStsPolicyFetcher
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MtaStsFetchResult> _results = new(StringComparer.Ordinal);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>When set, every fetch waits for it before answering.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Completes when a fetch has started (for tests holding fetches).</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Serve(string domain, string policyText)
    {
        var parsed = MtaStsPolicyParser.Parse(policyText);
        Assert.True(parsed.IsValid, parsed.Error);
        Set(domain, MtaStsFetchResult.Success(parsed.Policy!));
    }

    public void Fail(string domain, string resultType = MtaStsFailureTypes.PolicyFetchError, string detail = "connection refused") =>
        Set(domain, MtaStsFetchResult.Failure(resultType, detail));

    public async ValueTask<MtaStsFetchResult> FetchAsync(string domain, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        Started.TrySetResult();
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(ct);
        }

        lock (_gate)
        {
            return _results.TryGetValue(domain, out var result)
                ? result
                : MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyFetchError, "no such host");
        }
    }

    private void Set(string domain, MtaStsFetchResult result)
    {
        lock (_gate)
        {
            _results[domain] = result;
        }
    }
}
