namespace Gateway.Delivery.Client;

/// <summary>
/// Bounds simultaneous transactions in total and per destination (Postfix's default_process_limit and
/// default_destination_concurrency_limit), so one slow domain cannot take every connection.
/// </summary>
internal sealed class ConcurrencyLimiter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _global;
    private readonly int _perDestination;
    private readonly Dictionary<string, Slot> _destinations = new(StringComparer.Ordinal);

    public ConcurrencyLimiter(int total, int perDestination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perDestination, 1);
        _global = new SemaphoreSlim(total, total);
        _perDestination = perDestination;
    }

    /// <summary>Waits for a slot of the destination, then one of the total; dispose the lease to free both.</summary>
    public async ValueTask<Lease> AcquireAsync(string destination, CancellationToken ct)
    {
        Slot slot;
        lock (_gate)
        {
            if (!_destinations.TryGetValue(destination, out slot!))
            {
                slot = new Slot(new SemaphoreSlim(_perDestination, _perDestination));
                _destinations[destination] = slot;
            }

            slot.Users++;
        }

        try
        {
            // The destination first: waiting for a busy destination must not hold a slot others could use.
            await slot.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _global.WaitAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                slot.Gate.Release();
                throw;
            }
        }
        catch
        {
            Leave(destination, slot);
            throw;
        }

        return new Lease(this, destination, slot);
    }

    public void Dispose() => _global.Dispose();

    private void Release(string destination, Slot slot)
    {
        _global.Release();
        slot.Gate.Release();
        Leave(destination, slot);
    }

    /// <summary>Forgets destinations nobody waits for, so the table does not grow with every domain ever seen.</summary>
    private void Leave(string destination, Slot slot)
    {
        lock (_gate)
        {
            slot.Users--;
            if (slot.Users == 0)
            {
                _destinations.Remove(destination);
                slot.Gate.Dispose();
            }
        }
    }

    internal sealed class Slot(SemaphoreSlim gate)
    {
        public SemaphoreSlim Gate { get; } = gate;

        public int Users { get; set; }
    }

    internal sealed class Lease : IDisposable
    {
        private readonly ConcurrencyLimiter _owner;
        private readonly string _destination;
        private readonly Slot _slot;
        private int _released;

        internal Lease(ConcurrencyLimiter owner, string destination, Slot slot)
        {
            _owner = owner;
            _destination = destination;
            _slot = slot;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_destination, _slot);
            }
        }
    }
}
