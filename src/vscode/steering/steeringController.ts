/**
 * Which vectors steer, how strongly and where, and whether steering is on at all. Every change is
 * pushed to the engine at once, so what the status bar and panel show is what generation uses.
 * Per-vector choices are remembered in workspace state; the vectors themselves stay in their files.
 */
import * as vscode from "vscode";
import type { ModelInfo, SteeringEntry } from "../../engine/protocol";
import type { EngineService } from "../engine/engineService";
import { describePlacement, parsePlacement, type SteeringPlacement } from "../../steering/placement";
import { measuredStrengths, strengthWarning, type MeasuredStrengths } from "../../steering/strengthRange";
import { STRENGTH_SLIDER_LIMIT } from "../../shared/webviewProtocol/messages";
import { UserFacingError } from "../failures";
import type { LibraryVector, VectorLibrary } from "./vectorLibrary";

export interface VectorChoice {
	readonly active: boolean;
	readonly strength: number;
	readonly layerRange?: readonly [number, number];
	/** Where the vector acts, in the short form, when the user chose it; otherwise the file's own choice. */
	readonly placement?: string;
	/** What the last strength sweep of this file showed; forgotten when the file is replaced. */
	readonly measured?: MeasuredStrengths;
}

/** Why an active vector is left out of the steering: a few words for the status bar, and the whole reason. */
export interface VectorProblem {
	readonly short: string;
	readonly detail: string;
}

/** The active vectors split into those pushed to the engine and those left out, with why. */
export interface SteeringPlan {
	readonly applied: readonly { readonly vector: LibraryVector; readonly choice: VectorChoice }[];
	readonly skipped: readonly { readonly vector: LibraryVector; readonly problem: VectorProblem }[];
}

const CHOICES_KEY = "steer.vectorChoices";
const ENABLED_KEY = "steer.steeringEnabled";
const DEFAULT_CHOICE: VectorChoice = { active: false, strength: 1 };

export class SteeringController implements vscode.Disposable {
	private choices: Record<string, VectorChoice>;
	private steeringEnabled: boolean;
	private readonly changed = new vscode.EventEmitter<void>();
	readonly onDidChange = this.changed.event;

	constructor(
		private readonly engine: EngineService,
		private readonly library: VectorLibrary,
		private readonly memento: vscode.Memento,
		private readonly log: vscode.LogOutputChannel
	) {
		this.choices = { ...memento.get<Record<string, VectorChoice>>(CHOICES_KEY, {}) };
		this.steeringEnabled = memento.get<boolean>(ENABLED_KEY, true);
	}

	get enabled(): boolean {
		return this.steeringEnabled;
	}

	choiceOf(fileName: string): VectorChoice {
		return this.choices[fileName] ?? DEFAULT_CHOICE;
	}

	/** Whether the user made any choice for the file (else choiceOf gives the defaults). */
	hasChoice(fileName: string): boolean {
		return fileName in this.choices;
	}

	activeVectors(): LibraryVector[] {
		return this.library.list().filter((vector) => this.choiceOf(vector.fileName).active);
	}

	/** Why `vector` cannot steer `model`, or undefined when it can. */
	problemFor(vector: LibraryVector, model: ModelInfo | undefined): string | undefined {
		return this.problemOf(vector, model)?.detail;
	}

	private problemOf(vector: LibraryVector, model: ModelInfo | undefined): VectorProblem | undefined {
		if (!model) return undefined;
		if (vector.vector.nEmbd !== model.nEmbd) {
			return {
				short: "made for another model",
				detail: `${vector.fileName} has width ${vector.vector.nEmbd} but ${model.architecture} model ${this.engine.modelName} has ${model.nEmbd}: it was made for another model`
			};
		}
		const beyond = [...vector.vector.directions.keys()].filter((layer) => layer >= model.nLayer);
		if (beyond.length > 0) {
			return {
				short: `layer ${beyond[0]} is beyond the model`,
				detail: `${vector.fileName} steers layer ${beyond[0]} but the model has layers 0..${model.nLayer - 1}`
			};
		}
		return undefined;
	}

	/**
	 * The active vectors the engine gets and those it does not, whether or not steering is switched
	 * on: the one source of what is pushed (`entries`) and of what the status bar says.
	 */
	plan(): SteeringPlan {
		const model = this.engine.modelInfo;
		const applied: { vector: LibraryVector; choice: VectorChoice }[] = [];
		const skipped: { vector: LibraryVector; problem: VectorProblem }[] = [];
		for (const vector of this.activeVectors()) {
			const problem = this.problemOf(vector, model);
			if (problem) skipped.push({ vector, problem });
			else applied.push({ vector, choice: this.choiceOf(vector.fileName) });
		}
		return { applied, skipped };
	}

	/** The steering a generation should use now: nothing when steering is off. */
	entries(): SteeringEntry[] {
		if (!this.steeringEnabled) return [];
		return this.activeEntries();
	}

	/** The active vectors as steering entries, whether or not steering is switched on. */
	activeEntries(): SteeringEntry[] {
		return this.plan().applied.map(({ vector, choice }) => {
			const placement = this.placementOf(vector.fileName);
			return {
				vector: vector.vector,
				strength: choice.strength,
				layerRange: choice.layerRange,
				...(placement.kind === "all" ? {} : { placement })
			};
		});
	}

	/** Where the vector acts: the user's choice, else the file's, else every position. */
	placementOf(fileName: string): SteeringPlacement {
		const chosen = this.choiceOf(fileName).placement;
		if (chosen !== undefined) {
			try {
				return parsePlacement(chosen);
			} catch {
				// A remembered choice this version cannot read: fall back to the file's.
			}
		}
		return this.library.get(fileName)?.facts.placement ?? { kind: "all" };
	}

	/** A short text that changes whenever the steering a generation would use changes (cache keys). */
	stateKey(): string {
		if (!this.steeringEnabled) return "off";
		return (
			this.activeVectors()
				.map((vector) => {
					const choice = this.choiceOf(vector.fileName);
					const placement = describePlacement(this.placementOf(vector.fileName));
					return `${vector.fileName}@${choice.strength}[${choice.layerRange?.join("-") ?? "all"}]${placement === "all" ? "" : `(${placement})`}`;
				})
				.join("+") || "none"
		);
	}

	async setActive(fileName: string, active: boolean): Promise<void> {
		const vector = this.requireVector(fileName);
		if (active) {
			const problem = this.problemFor(vector, this.engine.modelInfo);
			if (problem) throw new UserFacingError(problem);
		}
		await this.update(fileName, { ...this.choiceOf(fileName), active });
	}

	/**
	 * Sets the strength even when it lies outside what was measured (the user may want to see what
	 * happens), and returns the warning to show in that case.
	 */
	async setStrength(fileName: string, strength: number): Promise<string | undefined> {
		if (!Number.isFinite(strength)) throw new UserFacingError(`strength must be a number, got ${strength}`);
		this.requireVector(fileName);
		await this.update(fileName, { ...this.choiceOf(fileName), strength });
		const warning = this.strengthWarning(fileName);
		if (warning) this.log.warn(`${fileName}: ${warning}`);
		return warning;
	}

	/** Why the vector's current strength deserves a warning, if it does. */
	strengthWarning(fileName: string): string | undefined {
		const choice = this.choiceOf(fileName);
		const name = this.library.get(fileName)?.name ?? fileName;
		return strengthWarning(name, choice.strength, choice.measured, STRENGTH_SLIDER_LIMIT);
	}

	/** Remembers where a sweep found this vector's text fluent and where it degenerated. */
	async recordSweep(
		fileName: string,
		rows: readonly { readonly strength: number; readonly fluent: boolean }[]
	): Promise<void> {
		const measured = measuredStrengths(rows);
		if (!measured || !this.library.get(fileName)) return;
		await this.update(fileName, { ...this.choiceOf(fileName), measured });
	}

	/** Sets where the vector acts, from its short form (`all`, `generated`, `prompt`, `first:K`); null: the file's own. */
	async setPlacement(fileName: string, placement: string | null): Promise<void> {
		this.requireVector(fileName);
		let chosen: string | undefined;
		if (placement !== null) {
			try {
				chosen = describePlacement(parsePlacement(placement));
			} catch (error) {
				throw new UserFacingError((error as Error).message);
			}
		}
		const { placement: _previous, ...rest } = this.choiceOf(fileName);
		await this.update(fileName, chosen === undefined ? rest : { ...rest, placement: chosen });
	}

	async setLayerRange(fileName: string, range: readonly [number, number] | undefined): Promise<void> {
		this.requireVector(fileName);
		await this.update(fileName, { ...this.choiceOf(fileName), layerRange: range });
	}

	/**
	 * A vector file was (re)written: it starts at its recommended strength (1) over `layerRange`,
	 * whatever strength the file it replaced had; whether it is active stays as the user left it.
	 */
	async startFresh(fileName: string, layerRange: readonly [number, number] | undefined): Promise<void> {
		this.requireVector(fileName);
		await this.update(fileName, {
			active: this.choiceOf(fileName).active,
			strength: DEFAULT_CHOICE.strength,
			layerRange
		});
	}

	/**
	 * The file was renamed: its choices (active, strength, layers) follow it to the new name. `taken` is the
	 * choice as it was before the rename: the folder watcher may already have forgotten the old name's
	 * (libraryChanged) by the time the rename has finished.
	 */
	async moveChoice(fromFileName: string, toFileName: string, taken?: VectorChoice): Promise<void> {
		const choice = taken ?? this.choices[fromFileName];
		if (!choice || fromFileName === toFileName) return;
		const { [fromFileName]: _moved, ...rest } = this.choices;
		this.choices = { ...rest, [toFileName]: choice };
		await this.memento.update(CHOICES_KEY, this.choices);
	}

	async setEnabled(enabled: boolean): Promise<void> {
		this.steeringEnabled = enabled;
		await this.memento.update(ENABLED_KEY, enabled);
		await this.apply();
	}

	/** Pushes the current steering to the engine (nothing to do without a model). */
	async apply(): Promise<void> {
		try {
			const model = this.engine.modelInfo;
			if (!model) return;
			for (const { vector, problem } of this.plan().skipped)
				this.log.warn(`not steering with ${vector.fileName}: ${problem.detail}`);
			const entries = this.entries();
			const { client } = this.engine.requireModel();
			if (entries.length === 0) await client.clearSteering();
			else await client.setSteering(entries);
			this.log.info(`steering ${this.steeringEnabled ? "on" : "off"}: ${this.stateKey()}`);
		} finally {
			this.changed.fire();
		}
	}

	/** Forgets choices for vectors whose files are gone, and tells listeners the library changed. */
	async libraryChanged(): Promise<void> {
		const present = new Set(this.library.list().map((vector) => vector.fileName));
		const kept = Object.fromEntries(Object.entries(this.choices).filter(([fileName]) => present.has(fileName)));
		if (Object.keys(kept).length !== Object.keys(this.choices).length) {
			this.choices = kept;
			await this.memento.update(CHOICES_KEY, this.choices);
		}
		await this.apply();
	}

	private requireVector(fileName: string): LibraryVector {
		const vector = this.library.get(fileName);
		if (!vector) throw new UserFacingError(`no vector named ${fileName} in ${this.library.directory}`);
		return vector;
	}

	private async update(fileName: string, choice: VectorChoice): Promise<void> {
		this.choices = { ...this.choices, [fileName]: choice };
		await this.memento.update(CHOICES_KEY, this.choices);
		await this.apply();
	}

	dispose(): void {
		this.changed.dispose();
	}
}
