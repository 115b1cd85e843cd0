namespace Gateway.Spam.Classifier;

/// <summary>
/// Moves the <c>count</c> clues farthest from 0.5 to the front, in linear time: only which clues are strongest matters
/// to the combination, not their order, and a long message has many times more clues than are combined.
/// </summary>
internal static class StrongestClues
{
    public static void MoveToFront(Span<double> clues, int count)
    {
        var low = 0;
        var high = clues.Length - 1;
        while (low < high)
        {
            var pivot = Strength(MedianOfThree(clues[low], clues[low + ((high - low) / 2)], clues[high]));
            var (i, j) = (low, high);
            while (i <= j)
            {
                while (Strength(clues[i]) > pivot)
                {
                    i++;
                }

                while (Strength(clues[j]) < pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (clues[i], clues[j]) = (clues[j], clues[i]);
                    i++;
                    j--;
                }
            }

            // [low, j] are at least as strong as the pivot, [i, high] at most as strong; between them, equal to it.
            if (count <= j)
            {
                high = j;
            }
            else if (count >= i)
            {
                low = i;
            }
            else
            {
                return;
            }
        }
    }

    private static double Strength(double p) => Math.Abs(p - 0.5);

    private static double MedianOfThree(double a, double b, double c)
    {
        var (sa, sb, sc) = (Strength(a), Strength(b), Strength(c));
        return (sa >= sb) == (sb >= sc) ? b : (sb >= sa) == (sa >= sc) ? a : c;
    }
}
