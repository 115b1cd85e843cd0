namespace Gateway.Spam.Classifier;

/// <summary>In how many learned ham and spam messages one feature occurred.</summary>
internal record struct FeatureCounts(int Ham, int Spam);
