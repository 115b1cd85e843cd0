namespace Gateway.Spam.Scoring;

/// <summary>
/// A few reusable objects kept between messages, about one per concurrently scoring thread; lock-free, and bounded so
/// that a burst of sessions does not leave its working space pinned afterwards. What an item holds is the caller's to
/// reset before <see cref="Return"/>.
/// </summary>
internal sealed class BoundedPool<T>(Func<T> create)
    where T : class
{
    private readonly T?[] _items = new T?[Math.Max(2, Environment.ProcessorCount * 2)];

    /// <summary>Items held now (a snapshot), for tests.</summary>
    internal int Count => _items.Count(item => item is not null);

    public T Rent()
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (Interlocked.Exchange(ref _items[i], null) is { } item)
            {
                return item;
            }
        }

        return create();
    }

    public void Return(T item)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _items[i], item, null) is null)
            {
                return;
            }
        }
    }
}
