"""The service layer: the article lifecycle and its policies (inbox, retries, limits, reachability,
migration), between the Telegram handlers above and storage and the core below. No Telegram here."""

from bot.service.articles import ArticleService, PageFetcher
from bot.service.documents import DocumentProblem
from bot.service.jobs import ArticleInput, DocumentRef, Job
from bot.service.limits import RateLimits, Refusal
from bot.service.outcomes import Analysed, Failed, Outcome, Rejected
from bot.service.reply import ChatMoved, ChatUnreachable, DeliveryError, DeliveryFailed, Reply
from bot.service.workers import RestartingRunner, Runner

__all__ = [
    "Analysed",
    "ArticleInput",
    "ArticleService",
    "ChatMoved",
    "ChatUnreachable",
    "DeliveryError",
    "DeliveryFailed",
    "DocumentProblem",
    "DocumentRef",
    "Failed",
    "Job",
    "Outcome",
    "PageFetcher",
    "RateLimits",
    "Refusal",
    "Rejected",
    "Reply",
    "RestartingRunner",
    "Runner",
]
