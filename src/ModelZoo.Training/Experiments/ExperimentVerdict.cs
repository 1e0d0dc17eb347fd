namespace ModelZoo.Training.Experiments;

/// <summary>Whether a run agrees with the seed's conclusion, and what it found, in one sentence.</summary>
/// <param name="Agrees">True when the measured ordering is the seed's.</param>
/// <param name="Finding">The measured result in words (names and numbers).</param>
public sealed record ExperimentVerdict(bool Agrees, string Finding);
